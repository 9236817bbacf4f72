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
from notifications.models import WeComRobot
from notifications.services import message_to_user, quiet_hours_until, wecom_digest_send
from notifications.templates import template_get

logger = logging.getLogger(__name__)

BATCH_STATES = 50_000
STAGE_TEMPLATES = {
    Reminder.Stage.BEFORE: "checkins.reminder_before",
    Reminder.Stage.DUE: "checkins.reminder_due",
    Reminder.Stage.OVERDUE: "checkins.reminder_overdue",
}
# Template placeholders as positional format() arguments of PostgreSQL.
_SQL_PLACEHOLDERS = (("{name}", "%1$s"), ("{what}", "%2$s"), ("{due}", "%3$s"))

# One statement per range of due-state ids: claim what needs a reminder today (skipping rows
# another run holds), mark the stage as sent for this due date, write one outbox message per
# volunteer to remind (hers, or each active member of the team), and a Reminder row per
# message that was new. Idempotency keys make a repeated run a no-op.
_REMIND_SQL = r"""
WITH claimed AS (
    SELECT d.id, d.pairing_id, d.rule_id, d.event_id, d.next_due_on,
           CASE WHEN %(today)s < d.next_due_on THEN 'before'
                WHEN %(today)s = d.next_due_on THEN 'due' ELSE 'overdue' END AS stage,
           COALESCE(r.name, e.name) AS what, COALESCE(r.kinds, e.kinds) AS kinds
    FROM checkins_duestate d
    JOIN pairing_pairing p ON p.id = d.pairing_id AND p.status = 'active'
    LEFT JOIN checkins_contactrule r ON r.id = d.rule_id
    LEFT JOIN checkins_calendarevent e ON e.id = d.event_id
    WHERE d.id >= %(lo)s AND d.id < %(hi)s AND d.satisfied_on IS NULL
      AND d.next_due_on - COALESCE(r.lead_days, e.lead_days) <= %(today)s
      AND ((%(today)s < d.next_due_on AND d.reminded_before_for IS DISTINCT FROM d.next_due_on)
        OR (%(today)s = d.next_due_on AND d.reminded_due_for IS DISTINCT FROM d.next_due_on)
        OR (%(today)s > d.next_due_on AND d.reminded_overdue_for IS DISTINCT FROM d.next_due_on))
    FOR UPDATE OF d SKIP LOCKED
), marked AS (
    UPDATE checkins_duestate d SET
        reminded_before_for = CASE WHEN c.stage = 'before' THEN d.next_due_on ELSE d.reminded_before_for END,
        reminded_due_for = CASE WHEN c.stage = 'due' THEN d.next_due_on ELSE d.reminded_due_for END,
        reminded_overdue_for = CASE WHEN c.stage = 'overdue' THEN d.next_due_on ELSE d.reminded_overdue_for END
    FROM claimed c WHERE d.id = c.id
    RETURNING d.id
), people AS (
    SELECT c.*, p.programme_id, ch.given_name, ch.village_id, v.user_id, wb.openid,
           CASE WHEN v.phone ~ '^\+[0-9]{8,15}$' THEN v.phone
                WHEN v.phone ~ '^1[0-9]{10}$' THEN '+86' || v.phone END AS phone,
           extract(month FROM c.next_due_on)::int || '月' || extract(day FROM c.next_due_on)::int || '日' AS due_text,
           'remind:' || c.pairing_id || ':' || CASE WHEN c.rule_id IS NOT NULL THEN 'r' || c.rule_id
                                                   ELSE 'e' || c.event_id END
               || ':' || to_char(c.next_due_on, 'YYYYMMDD') || ':' || c.stage || ':' || v.user_id AS key
    FROM claimed c
    JOIN pairing_pairing p ON p.id = c.pairing_id
    JOIN children_child ch ON ch.id = p.child_id
    JOIN LATERAL (
        SELECT v1.user_id, v1.phone FROM volunteers_volunteer v1 WHERE v1.id = p.volunteer_id AND v1.status = 'active'
        UNION ALL
        SELECT v2.user_id, v2.phone FROM volunteers_volunteer v2
        WHERE p.team_id IS NOT NULL AND v2.team_id = p.team_id AND v2.status = 'active'
    ) v ON true
    LEFT JOIN notifications_wechatbinding wb ON wb.user_id = v.user_id AND wb.usable
), msgs AS (
    INSERT INTO notifications_message (channel, recipient, user_id, programme_id, region_id, template, params, body,
        idempotency_key, urgent, status, attempts, next_attempt_at, provider_id, provider_status, error_code,
        segments, last_error, created_at)
    SELECT CASE WHEN x.openid IS NOT NULL THEN 'wechat' ELSE 'sms' END, COALESCE(x.openid, x.phone), x.user_id,
           x.programme_id, x.village_id, 'checkins.reminder_' || x.stage,
           jsonb_build_object('name', x.given_name, 'what', x.what, 'due', x.due_text),
           format(CASE x.stage WHEN 'before' THEN %(t_before)s WHEN 'due' THEN %(t_due)s ELSE %(t_overdue)s END,
                  x.given_name, x.what, x.due_text),
           x.key, false, 'pending', 0, COALESCE(q.at, %(now)s), '', '', '', 0, '', %(now)s
    FROM people x LEFT JOIN unnest(%(quiet_ids)s::bigint[], %(quiet_at)s::timestamptz[]) AS q(programme_id, at)
         ON q.programme_id = x.programme_id
    WHERE x.openid IS NOT NULL OR x.phone IS NOT NULL
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, idempotency_key
)
INSERT INTO checkins_reminder (due_state_id, pairing_id, message_id, stage, due_on, kind, phone, created_at)
SELECT x.id, x.pairing_id, m.id, x.stage, x.next_due_on,
       COALESCE((SELECT k FROM jsonb_array_elements_text(x.kinds) AS k LIMIT 1), 'phone_call'),
       COALESCE(x.phone, ''), %(now)s
FROM people x JOIN msgs m ON m.idempotency_key = x.key
"""


def _sql_template(name: str) -> str:
    text = template_get(name).text.replace("%", "%%")
    for placeholder, positional in _SQL_PLACEHOLDERS:
        text = text.replace(placeholder, positional)
    return text


def reminder_key(*, pairing_id: int, slot: str, due_on: datetime.date, stage: str, user_id: int) -> str:
    """Return the outbox idempotency key of one reminder: one per stage, due date and person."""
    return f"remind:{pairing_id}:{slot}:{due_on:%Y%m%d}:{stage}:{user_id}"


def reminders_create(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Queue the reminders due on ``today`` (Asia/Shanghai) for every active pairing; return how many.

    Messages that fall in a programme's quiet hours wait in the outbox until they end.
    """
    now = now or timezone.now()
    programmes = Programme.objects.filter(pk__in=DueState.objects.values("pairing__programme_id").distinct())
    quiet = {p.pk: quiet_hours_until(now=now, programme=p) or now for p in programmes}
    params = {
        "today": today,
        "now": now,
        "quiet_ids": list(quiet),
        "quiet_at": list(quiet.values()),
        "t_before": _sql_template(STAGE_TEMPLATES[Reminder.Stage.BEFORE]),
        "t_due": _sql_template(STAGE_TEMPLATES[Reminder.Stage.DUE]),
        "t_overdue": _sql_template(STAGE_TEMPLATES[Reminder.Stage.OVERDUE]),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM checkins_duestate")
        low, high = cursor.fetchone()
    if low is None:
        return 0
    created = 0
    for start in range(low, high + 1, BATCH_STATES):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(_REMIND_SQL, {**params, "lo": start, "hi": start + BATCH_STATES})
            created += max(cursor.rowcount, 0)
    if created:
        # The outbox's dispatcher would find them within its interval; this sends the due ones now.
        from notifications.tasks import outbox_dispatch_task

        transaction.on_commit(outbox_dispatch_task.delay)
    return created


# --- escalation ---------------------------------------------------------------------

_ESCALATE_SQL = """
WITH esc AS (
    UPDATE checkins_duestate d SET escalation = %(level)s, escalated_for = d.next_due_on
    FROM checkins_contactrule r, pairing_pairing p
    WHERE r.id = d.rule_id AND p.id = d.pairing_id AND p.status = 'active' AND d.satisfied_on IS NULL
      AND d.next_due_on < %(today)s AND d.escalation < %(level)s AND %(today)s - d.next_due_on >= r.{days_field}
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
                title=_("逾期关爱周报"),
                summary=summary,
                idempotency_key=f"checkins-county-digest:{robot.pk}:{year}W{week:02d}",
            )
            sent += 1
        open_.filter(region_id=county).update(digest_sent_at=timezone.now())
    return sent
