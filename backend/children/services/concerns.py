"""Concerns and mandatory reports (关注事项 / 强制报告): raise, acknowledge, refer, follow up, close.

Every step is kept as a ``ConcernStep`` (the concern's history). A concern not acknowledged
within its severity's deadline (``Concern.ACKNOWLEDGE_WITHIN``; urgent: 24 hours) is escalated
to the staff of the county, and, if still not acknowledged a deadline later, of the city:
the due work is a ``ConcernEscalation`` row, claimed by a beat dispatcher and sent by a task
through the outbox. Messages carry the concern's number and the town, never anything about the child.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Child, Concern, ConcernEscalation, ConcernStep
from backend.children.selectors import child_list_for, is_file_keeper
from backend.ops.errors import ConflictError, ServiceError
from backend.regions.models import Region

logger = logging.getLogger(__name__)

# A queued escalation whose task never finished (a worker died) is queued again after this.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
# The levels told in turn when a concern stays unacknowledged: county, then city.
ESCALATION_CODE_LENGTHS = (6, 4)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _locked_for_handling(*, concern: Concern | int, user) -> Concern:
    """Lock and return a concern that the user may handle; 404 if she may not (or it does not exist)."""
    pk = concern.pk if isinstance(concern, Concern) else concern
    found = Concern.objects.select_for_update(of=("self",)).select_related("child").filter(pk=pk).first()
    if found is None or not is_file_keeper(user) or not user_region_scope(user).contains(found.child.village_id):
        raise Http404
    return found


def _note(note: str | None, *, field: str = "note", required: bool = True) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ServiceError(_("请填写说明"), field=field)
    return note[:4000]


def _not_closed(concern: Concern) -> None:
    if concern.status == Concern.Status.CLOSED:
        raise ConflictError(_("该事项已办结"), field="status")


def _acknowledge(concern: Concern, *, user, now: datetime.datetime, note: str = "") -> None:
    concern.status = Concern.Status.ACKNOWLEDGED
    concern.acknowledged_by = user
    concern.acknowledged_at = now
    ConcernStep.objects.create(concern=concern, kind=ConcernStep.Kind.ACKNOWLEDGED, by=user, note=note, at=now)
    # Acknowledged: nobody above needs telling any more.
    ConcernEscalation.objects.filter(
        concern=concern, status__in=[ConcernEscalation.Status.PENDING, ConcernEscalation.Status.QUEUED]
    ).update(status=ConcernEscalation.Status.CANCELLED)


@transaction.atomic
def concern_raise(
    *,
    child: Child,
    raised_by,
    severity: str,
    category: str,
    description: str,
    now: datetime.datetime | None = None,
) -> Concern:
    """Raise a concern (关注事项) about a child the reporter may see; set its deadline and escalation."""
    if raised_by is not None and not child_list_for(user=raised_by).filter(pk=child.pk).exists():
        raise Http404
    if severity not in Concern.Severity.values:
        raise ServiceError(_("请选择严重程度"), field="severity")
    if category not in Concern.Category.values:
        raise ServiceError(_("请选择类别"), field="category")
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("请描述看到的情况"), field="description")
    now = _now(now)
    due = now + Concern.ACKNOWLEDGE_WITHIN[severity]
    concern = Concern.objects.create(
        child=child,
        raised_by=raised_by,
        severity=severity,
        category=category,
        description=description[:4000],
        acknowledge_due_at=due,
    )
    if now != concern.created_at:
        # A raise "at" a given time (tests, imports): keep the times consistent.
        Concern.objects.filter(pk=concern.pk).update(created_at=now)
        concern.created_at = now
    ConcernStep.objects.create(concern=concern, kind=ConcernStep.Kind.RAISED, by=raised_by, at=now)
    ConcernEscalation.objects.create(
        concern=concern, region_id=child.village_id[: ESCALATION_CODE_LENGTHS[0]], due_at=due
    )
    return concern


@transaction.atomic
def concern_acknowledge(*, concern: Concern, user, note: str = "", now: datetime.datetime | None = None) -> Concern:
    """Acknowledge an open concern (受理): someone in the region has taken it on."""
    concern = _locked_for_handling(concern=concern, user=user)
    if concern.status != Concern.Status.OPEN:
        raise ConflictError(_("只有待处理的事项可以受理"), field="status")
    _acknowledge(concern, user=user, now=_now(now), note=_note(note, required=False))
    concern.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return concern


@transaction.atomic
def concern_refer(
    *, concern: Concern, user, referred_to: str, note: str, now: datetime.datetime | None = None
) -> Concern:
    """Refer a concern (转介) to the police, civil affairs, the school or the social-work station, with a note."""
    concern = _locked_for_handling(concern=concern, user=user)
    _not_closed(concern)
    if referred_to not in Concern.ReferTo.values:
        raise ServiceError(_("请选择转介到哪里"), field="referred_to")
    note = _note(note)
    now = _now(now)
    if concern.status == Concern.Status.OPEN:
        _acknowledge(concern, user=user, now=now)
    concern.referred_to = referred_to
    concern.referred_at = now
    concern.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "referred_to", "referred_at"])
    ConcernStep.objects.create(
        concern=concern, kind=ConcernStep.Kind.REFERRED, by=user, note=note, referred_to=referred_to, at=now
    )
    return concern


@transaction.atomic
def concern_follow_up(*, concern: Concern, user, note: str, now: datetime.datetime | None = None) -> Concern:
    """Record a follow-up (跟进) of a concern: a visit, a call, what the referral led to."""
    concern = _locked_for_handling(concern=concern, user=user)
    _not_closed(concern)
    note = _note(note)
    now = _now(now)
    if concern.status == Concern.Status.OPEN:
        _acknowledge(concern, user=user, now=now)
        concern.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    ConcernStep.objects.create(concern=concern, kind=ConcernStep.Kind.FOLLOW_UP, by=user, note=note, at=now)
    return concern


@transaction.atomic
def concern_close(
    *, concern: Concern, user, note: str, outcome: str = "", now: datetime.datetime | None = None
) -> Concern:
    """Close a concern (办结) with its outcome and a note saying what was done (e.g. 转介社工站)."""
    concern = _locked_for_handling(concern=concern, user=user)
    _not_closed(concern)
    if outcome and outcome not in Concern.Outcome.values:
        raise ServiceError(_("请选择办结结果"), field="outcome")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("办结须填写处理说明（如转介社工站）"), field="note")
    now = _now(now)
    if concern.status == Concern.Status.OPEN:
        _acknowledge(concern, user=user, now=now)
    concern.status = Concern.Status.CLOSED
    concern.closed_by = user
    concern.closed_at = now
    concern.closing_note = note[:4000]
    concern.outcome = outcome
    concern.save()
    ConcernStep.objects.create(
        concern=concern, kind=ConcernStep.Kind.CLOSED, by=user, note=note[:4000], outcome=outcome, at=now
    )
    return concern


def concern_escalations_dispatch(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the escalations that fell due (and any stuck in the queue) and enqueue them; return their ids."""
    from backend.children.tasks import concern_escalate_task

    now = _now(now)
    with transaction.atomic():
        due = (
            ConcernEscalation.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=ConcernEscalation.Status.PENDING, due_at__lte=now)
                | Q(status=ConcernEscalation.Status.QUEUED, queued_at__lt=now - REQUEUE_AFTER)
            )
            .order_by("due_at", "id")
        )
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            ConcernEscalation.objects.filter(pk__in=ids).update(status=ConcernEscalation.Status.QUEUED, queued_at=now)
            for pk in ids:
                transaction.on_commit(lambda pk=pk: concern_escalate_task.delay(pk))
    return ids


def _escalation_recipients(region_code: str):
    return User.objects.filter(role=User.Role.STAFF, is_active=True, home_region_id=region_code).order_by("pk")


@transaction.atomic
def concern_escalate(*, escalation_id: int, now: datetime.datetime | None = None) -> int | None:
    """Tell the staff of the escalation's region that a concern missed its deadline; return messages queued.

    Claims the row with a conditional update: a second run of the same task finds nothing
    and returns None. A concern acknowledged meanwhile is not escalated (0).
    """
    from notifications.services import message_to_user

    now = _now(now)
    claimed = ConcernEscalation.objects.filter(pk=escalation_id, status=ConcernEscalation.Status.QUEUED).update(
        status=ConcernEscalation.Status.SENT, sent_at=now
    )
    if not claimed:
        return None
    escalation = ConcernEscalation.objects.select_related("concern", "region").get(pk=escalation_id)
    concern = Concern.objects.select_for_update().get(pk=escalation.concern_id)
    if concern.status != Concern.Status.OPEN:
        ConcernEscalation.objects.filter(pk=escalation_id).update(status=ConcernEscalation.Status.CANCELLED)
        return 0
    village = Child.objects.filter(pk=concern.child_id).values_list("village_id", flat=True).get()
    town = Region.objects.filter(code=village[:9]).values_list("name", flat=True).first()
    params = {
        "town": town or escalation.region.name,
        "severity": concern.get_severity_display(),
        "hours": int((now - concern.created_at).total_seconds() // 3600),
        "ref": concern.reference,
    }
    sent = 0
    for user in _escalation_recipients(escalation.region_id):
        try:
            message_to_user(
                user=user,
                template="children.concern_escalated",
                params=params,
                region_id=escalation.region_id,
                idempotency_key=f"concern-escalation:{escalation.pk}:{user.pk}",
            )
            sent += 1
        except ServiceError:
            logger.warning("staff user %s has neither phone nor WeChat; concern escalation not sent", user.pk)
    ConcernEscalation.objects.filter(pk=escalation_id).update(messages_sent=sent)
    ConcernStep.objects.create(
        concern=concern,
        kind=ConcernStep.Kind.ESCALATED,
        region_id=escalation.region_id,
        note=_("已超过受理期限，已通知%(region)s %(count)s 人") % {"region": escalation.region.name, "count": sent},
        at=now,
    )
    concern.escalated_at = now
    concern.save(update_fields=["escalated_at"])
    # Still nobody acknowledges: the level above that one is told a deadline later.
    shorter = [n for n in ESCALATION_CODE_LENGTHS if n < len(escalation.region_id)]
    if shorter:
        ConcernEscalation.objects.get_or_create(
            concern=concern,
            region_id=escalation.region_id[: shorter[0]],
            defaults={"due_at": now + Concern.ACKNOWLEDGE_WITHIN[concern.severity]},
        )
    return sent
