"""Reminders to volunteers (before, on and after the due date) and escalation to staff.

Due states are claimed in batches with ``FOR UPDATE SKIP LOCKED``; messages are written
to the outbox in bulk with idempotency keys, so a second run on the same day (or two
workers at once) adds nothing. The outbox's dispatcher sends them, minding quiet hours.
"""

import datetime
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.checkins.models import DueState, Escalation, Reminder
from backend.ops.errors import ServiceError
from backend.programmes.models import Programme
from backend.regions.models import Region
from notifications.models import Message, WeChatBinding, WeComRobot
from notifications.services import message_to_user, phone_normalise, quiet_hours_until, wecom_digest_send
from notifications.templates import template_get

logger = logging.getLogger(__name__)

BATCH_STATES = 5_000
STAGE_TEMPLATES = {
    Reminder.Stage.BEFORE: "checkins.reminder_before",
    Reminder.Stage.DUE: "checkins.reminder_due",
    Reminder.Stage.OVERDUE: "checkins.reminder_overdue",
}
STAGE_FIELDS = {
    Reminder.Stage.BEFORE: "reminded_before_for",
    Reminder.Stage.DUE: "reminded_due_for",
    Reminder.Stage.OVERDUE: "reminded_overdue_for",
}

_CLAIM_SQL = """
SELECT d.id FROM checkins_duestate d
JOIN pairing_pairing p ON p.id = d.pairing_id AND p.status = 'active'
LEFT JOIN checkins_contactrule r ON r.id = d.rule_id
LEFT JOIN checkins_calendarevent e ON e.id = d.event_id
WHERE d.satisfied_on IS NULL AND d.id > %(after)s
  AND d.next_due_on - COALESCE(r.lead_days, e.lead_days) <= %(today)s
  AND ((%(today)s < d.next_due_on AND d.reminded_before_for IS DISTINCT FROM d.next_due_on)
    OR (%(today)s = d.next_due_on AND d.reminded_due_for IS DISTINCT FROM d.next_due_on)
    OR (%(today)s > d.next_due_on AND d.reminded_overdue_for IS DISTINCT FROM d.next_due_on))
ORDER BY d.id LIMIT %(limit)s
FOR UPDATE OF d SKIP LOCKED
"""

# One row per (due state, volunteer to remind): the volunteer, or each active member of the team.
_DETAIL_SQL = """
SELECT d.id, d.pairing_id, d.rule_id, d.event_id, d.next_due_on, p.programme_id, c.given_name, c.village_id,
       COALESCE(r.name, e.name), COALESCE(r.kinds, e.kinds), v.user_id, v.phone
FROM checkins_duestate d
JOIN pairing_pairing p ON p.id = d.pairing_id
JOIN children_child c ON c.id = p.child_id
LEFT JOIN checkins_contactrule r ON r.id = d.rule_id
LEFT JOIN checkins_calendarevent e ON e.id = d.event_id
JOIN LATERAL (
    SELECT v1.user_id, v1.phone FROM volunteers_volunteer v1 WHERE v1.id = p.volunteer_id AND v1.status = 'active'
    UNION ALL
    SELECT v2.user_id, v2.phone FROM volunteers_volunteer v2
    WHERE p.team_id IS NOT NULL AND v2.team_id = p.team_id AND v2.status = 'active'
) v ON true
WHERE d.id = ANY(%(ids)s)
ORDER BY d.id
"""


def _stage(today: datetime.date, due_on: datetime.date) -> str:
    if today < due_on:
        return Reminder.Stage.BEFORE
    if today == due_on:
        return Reminder.Stage.DUE
    return Reminder.Stage.OVERDUE


def _reply_kind(kinds) -> str:
    from backend.checkins.models import CheckIn

    for kind in kinds or ():
        if kind in CheckIn.Kind.values:
            return kind
    return CheckIn.Kind.PHONE_CALL


def reminder_key(*, pairing_id: int, slot: str, due_on: datetime.date, stage: str, user_id: int) -> str:
    """Return the outbox idempotency key of one reminder: one per stage, due date and person."""
    return f"remind:{pairing_id}:{slot}:{due_on:%Y%m%d}:{stage}:{user_id}"


def reminders_create(*, today: datetime.date, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Queue the reminders due on ``today`` (Asia/Shanghai) for every active pairing; return how many."""
    now = now or timezone.now()
    programmes: dict[int, Programme] = {}
    quiet: dict[int, datetime.datetime] = {}
    created = 0
    after = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(_CLAIM_SQL, {"after": after, "today": today, "limit": BATCH_STATES})
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    break
                after = ids[-1]
                cursor.execute(_DETAIL_SQL, {"ids": ids})
                rows = cursor.fetchall()
            created += _queue_batch(rows, ids=ids, today=today, now=now, programmes=programmes, quiet=quiet)
        if limit is not None and created >= limit:
            break
    return created


def _queue_batch(rows, *, ids, today, now, programmes, quiet) -> int:
    user_ids = {row[10] for row in rows}
    wechat = dict(WeChatBinding.objects.filter(user_id__in=user_ids, usable=True).values_list("user_id", "openid"))
    messages: list[Message] = []
    meta: dict[str, tuple] = {}
    stage_of: dict[int, str] = {}
    for (
        state_id,
        pairing_id,
        rule_id,
        event_id,
        due_on,
        programme_id,
        given_name,
        village_id,
        what,
        kinds,
        user_id,
        phone,
    ) in rows:
        stage = _stage(today, due_on)
        stage_of[state_id] = stage
        if programme_id not in programmes:
            programmes[programme_id] = Programme.objects.get(pk=programme_id)
            quiet[programme_id] = quiet_hours_until(now=now, programme=programmes[programme_id]) or now
        slot = f"r{rule_id}" if rule_id else f"e{event_id}"
        key = reminder_key(pairing_id=pairing_id, slot=slot, due_on=due_on, stage=stage, user_id=user_id)
        template = STAGE_TEMPLATES[stage]
        params = {"name": given_name, "what": what, "due": f"{due_on.month}月{due_on.day}日"}
        text = template_get(template).render(params)
        try:
            e164 = phone_normalise(phone)
        except ServiceError:
            logger.warning("volunteer user %s has no valid phone; reminder skipped", user_id)
            continue
        if user_id in wechat:
            channel, recipient = Message.Channel.WECHAT, wechat[user_id]
        else:
            channel, recipient = Message.Channel.SMS, e164
        messages.append(
            Message(
                channel=channel,
                recipient=recipient,
                user_id=user_id,
                programme_id=programme_id,
                region_id=village_id,
                body=text,
                template=template,
                params=params,
                idempotency_key=key,
                next_attempt_at=quiet[programme_id],
            )
        )
        meta[key] = (state_id, pairing_id, stage, due_on, _reply_kind(kinds), e164)
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        by_key = dict(Message.objects.filter(idempotency_key__in=list(meta)).values_list("idempotency_key", "id"))
        known = set(Reminder.objects.filter(message_id__in=by_key.values()).values_list("message_id", flat=True))
        Reminder.objects.bulk_create(
            [
                Reminder(
                    due_state_id=m[0],
                    pairing_id=m[1],
                    message_id=by_key[key],
                    stage=m[2],
                    due_on=m[3],
                    kind=m[4],
                    phone=m[5],
                )
                for key, m in meta.items()
                if key in by_key and by_key[key] not in known
            ]
        )
    # Mark every claimed state, even one with nobody to remind, so it is not claimed again today.
    by_stage: dict[str, list[int]] = defaultdict(list)
    for state_id in ids:
        if state_id in stage_of:
            by_stage[stage_of[state_id]].append(state_id)
    for stage, state_ids in by_stage.items():
        DueState.objects.filter(pk__in=state_ids).update(**{STAGE_FIELDS[stage]: _due_on_expr()})
    unmatched = [i for i in ids if i not in stage_of]
    if unmatched:
        _mark_unmatched(unmatched, today)
    return len(messages)


def _due_on_expr():
    from django.db.models import F

    return F("next_due_on")


def _mark_unmatched(ids: list[int], today: datetime.date) -> None:
    """States with no active volunteer to remind: mark all their stages up to today as done."""
    from django.db.models import Case, F, When

    DueState.objects.filter(pk__in=ids).update(
        reminded_before_for=F("next_due_on"),
        reminded_due_for=Case(When(next_due_on__lte=today, then=F("next_due_on")), default=F("reminded_due_for")),
        reminded_overdue_for=Case(
            When(next_due_on__lt=today, then=F("next_due_on")), default=F("reminded_overdue_for")
        ),
    )


# --- escalation ---------------------------------------------------------------------

_ESCALATE_SQL = """
WITH esc AS (
    UPDATE checkins_duestate d SET escalation = %(level)s, escalated_for = d.next_due_on
    FROM checkins_contactrule r, pairing_pairing p
    WHERE r.id = d.rule_id AND p.id = d.pairing_id AND p.status = 'active' AND d.satisfied_on IS NULL
      AND d.escalation < %(level)s AND %(today)s - d.next_due_on >= r.{days_field}
    RETURNING d.id, d.pairing_id, d.next_due_on, p.child_id
)
INSERT INTO checkins_escalation (due_state_id, pairing_id, level, region_id, due_on, overdue_days, created_on)
SELECT esc.id, esc.pairing_id, %(level)s, left(c.village_id, %(code_len)s), esc.next_due_on,
       %(today)s - esc.next_due_on, %(today)s
FROM esc JOIN children_child c ON c.id = esc.child_id
ON CONFLICT (due_state_id, level, due_on) DO NOTHING
"""


def escalations_raise(*, today: datetime.date) -> dict[int, int]:
    """Escalate overdue rules: to the town's staff at N days, to the county at M days; return counts."""
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _ESCALATE_SQL.format(days_field="escalate_staff_days"),
            {"level": DueState.Escalation.STAFF, "today": today, "code_len": 9},
        )
        counts[DueState.Escalation.STAFF] = cursor.rowcount
        cursor.execute(
            _ESCALATE_SQL.format(days_field="escalate_county_days"),
            {"level": DueState.Escalation.COUNTY, "today": today, "code_len": 6},
        )
        counts[DueState.Escalation.COUNTY] = cursor.rowcount
    return counts


def staff_digests_send(*, today: datetime.date) -> int:
    """Tell village and town staff how many of their pairings newly went overdue; return messages queued."""
    pending = Escalation.objects.filter(
        level=DueState.Escalation.STAFF, digest_sent_at__isnull=True, resolved_on__isnull=True
    )
    towns = set(pending.values_list("region_id", flat=True))
    if not towns:
        return 0
    town_q = Q()
    for town in towns:
        town_q |= Q(home_region__pk__startswith=town)
    staff = User.objects.filter(town_q, role=User.Role.STAFF, is_active=True).select_related("home_region")
    sent = 0
    for user in staff:
        code = user.home_region_id
        mine = Escalation.objects.filter(level=DueState.Escalation.STAFF, resolved_on__isnull=True, region_id=code[:9])
        if len(code) > 9:  # a village officer: only her village's children
            mine = mine.filter(pairing__child__village_id=code)
        figures = mine.aggregate(n=Count("pairing", distinct=True), longest=Max("overdue_days"))
        if not figures["n"]:
            continue
        try:
            message_to_user(
                user=user,
                template="checkins.staff_digest",
                params={"region": user.home_region.name, "count": figures["n"], "days": figures["longest"]},
                region_id=code,
                idempotency_key=f"checkins-staff-digest:{user.pk}:{today:%Y%m%d}",
            )
            sent += 1
        except ServiceError:
            logger.warning("staff user %s has neither phone nor WeChat; overdue digest not sent", user.pk)
    pending.update(digest_sent_at=timezone.now())
    return sent


def county_digests_send(*, today: datetime.date) -> int:
    """Send each county's WeCom group its weekly list of long-overdue pairings, by town; return how many."""
    year, week, _day = today.isocalendar()
    open_ = Escalation.objects.filter(level=DueState.Escalation.COUNTY, resolved_on__isnull=True)
    sent = 0
    for county in sorted(set(open_.values_list("region_id", flat=True))):
        robots = WeComRobot.objects.filter(region_id=county, is_active=True)
        if not robots:
            continue
        by_town = (
            open_.filter(region_id=county)
            .values("pairing__child__village_id")
            .annotate(n=Count("pairing", distinct=True))
        )
        towns: dict[str, int] = defaultdict(int)
        for row in by_town:
            towns[row["pairing__child__village_id"][:9]] += row["n"]
        names = dict(Region.objects.filter(code__in=towns).values_list("code", "name"))
        county_name = Region.objects.filter(code=county).values_list("name", flat=True).first() or county
        lines = [f"- {names.get(code, code)}：{n}" for code, n in sorted(towns.items())]
        summary = _("%(county)s 长期未联系的结对共 %(total)s 个（按乡镇）：") % {
            "county": county_name,
            "total": sum(towns.values()),
        }
        summary += "\n" + "\n".join(lines)
        for robot in robots:
            wecom_digest_send(
                robot=robot,
                title=_("逾期关爱周报 / Weekly overdue care"),
                summary=summary,
                idempotency_key=f"checkins-county-digest:{robot.pk}:{year}W{week:02d}",
            )
            sent += 1
        open_.filter(region_id=county).update(digest_sent_at=timezone.now())
    return sent
