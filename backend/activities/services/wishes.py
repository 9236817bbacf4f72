"""微心愿: a child's small wish, recorded, published to the region, claimed by one, fulfilled, thanked."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.activities.models import Wish
from backend.ops.errors import ConflictError, ServiceError

MAX_VALUE = Decimal("2000")


@transaction.atomic
def wish_record(*, child, by, item: str, estimated_value: Decimal, publish: bool = False) -> Wish:
    """Record a wish of a child the caller may act on (her volunteer or the child's director/staff)."""
    item = (item or "").strip()
    if not item:
        raise ServiceError(_("请填写心愿"), field="item")
    if estimated_value is None or estimated_value < 0:
        raise ServiceError(_("估计价值不能为负数"), field="estimated_value")
    if estimated_value > MAX_VALUE:
        raise ServiceError(_("微心愿的估计价值不超过2000元"), field="estimated_value")
    wish = Wish(child=child, item=item[:100], estimated_value=estimated_value, recorded_by=by)
    try:
        wish.full_clean()
    except ValidationError as exc:
        raise ServiceError("；".join(exc.messages), field=next(iter(exc.message_dict), None)) from None
    wish.save()
    if publish:
        wish_publish(wish=wish)
    return wish


def _locked(wish: Wish, expected: str, message: str) -> Wish:
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    if wish.status != expected:
        raise ConflictError(message, field="status")
    return wish


@transaction.atomic
def wish_publish(*, wish: Wish) -> Wish:
    """Publish a recorded wish to the region's volunteers and caring units."""
    wish = _locked(wish, Wish.Status.RECORDED, _("只有待发布的心愿可以发布"))
    wish.status = Wish.Status.PUBLISHED
    wish.published_at = timezone.now()
    wish.save(update_fields=["status", "published_at"])
    return wish


@transaction.atomic
def wish_claim(*, wish: Wish, volunteer=None, unit=None) -> Wish:
    """Claim a published wish for one volunteer or one caring unit; a second claim is refused."""
    if (volunteer is None) == (unit is None):
        raise ServiceError(_("请选择认领的爱心妈妈或爱心单位（只选一个）"), field="claimer")
    wish = _locked(wish, Wish.Status.PUBLISHED, _("这个心愿已被认领"))
    wish.claimed_by_volunteer = volunteer
    wish.claimed_by_unit = unit
    wish.status = Wish.Status.CLAIMED
    wish.claimed_at = timezone.now()
    wish.save(update_fields=["claimed_by_volunteer", "claimed_by_unit", "status", "claimed_at"])
    return wish


@transaction.atomic
def wish_fulfil(*, wish: Wish, fulfilled_on: datetime.date, photo=None) -> Wish:
    """Record that a claimed wish came true, with the date and an optional photo (JPEG/PNG/WebP, 5 MB)."""
    from backend.checkins.services.checkins import photo_validate

    if fulfilled_on is None:
        raise ServiceError(_("请填写实现日期"), field="fulfilled_on")
    if fulfilled_on > timezone.localdate():
        raise ServiceError(_("实现日期不能晚于今天"), field="fulfilled_on")
    if photo is not None:
        photo_validate(photo)
    wish = _locked(wish, Wish.Status.CLAIMED, _("只有已认领的心愿可以登记实现"))
    wish.status = Wish.Status.FULFILLED
    wish.fulfilled_on = fulfilled_on
    if photo is not None:
        wish.photo = photo
    wish.save()
    return wish


@transaction.atomic
def wish_thank(*, wish: Wish, note: str = "") -> Wish:
    """Thank whoever fulfilled the wish."""
    wish = _locked(wish, Wish.Status.FULFILLED, _("只有已实现的心愿可以致谢"))
    wish.status = Wish.Status.THANKED
    wish.thanked_at = timezone.now()
    wish.thanks_note = (note or "").strip()[:200]
    wish.save(update_fields=["status", "thanked_at", "thanks_note"])
    return wish
