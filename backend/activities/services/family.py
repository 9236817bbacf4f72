"""Family education: consultation records on a child's file, guidance articles for guardians."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.activities.models import Article, Consultation
from backend.ops.errors import ServiceError


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ServiceError("；".join(exc.messages), field=next(iter(exc.message_dict), None)) from None


@transaction.atomic
def consultation_record(*, child, by, held_on, topic: str, advice: str, follow_up_on=None, activity=None):
    """Keep a consultation (topic, advice, follow-up date) on the child's file."""
    if follow_up_on is not None and held_on is not None and follow_up_on < held_on:
        raise ServiceError(_("跟进日期不能早于咨询日期"), field="follow_up_on")
    row = Consultation(
        child=child,
        held_on=held_on,
        topic=(topic or "").strip(),
        advice=(advice or "").strip(),
        follow_up_on=follow_up_on,
        activity=activity,
        recorded_by=by,
    )
    _clean(row)
    row.save()
    return row


@transaction.atomic
def article_publish(*, by, region, title: str, body: str, audience: str) -> Article:
    """Publish a guidance article for guardians of her region (public, readable without signing in)."""
    if not user_region_scope(by).contains(region.pk):
        raise ServiceError(_("只能为本辖区发布"), field="region")
    row = Article(
        region=region, title=(title or "").strip(), body=(body or "").strip(), audience=audience, created_by=by
    )
    _clean(row)
    row.save()
    return row
