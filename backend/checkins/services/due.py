"""The due computation: set-based SQL over all active pairings, in batches of pairing ids.

One statement per batch inserts or updates every (pairing, rule) and (pairing, calendar
event) due state; rows whose dates did not change are not written. A check-in runs the
same statements for its own pairings only, so the nightly pass and a check-in agree.
"""

import datetime
import logging

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from backend.checkins.models import Escalation, Reminder
from notifications.models import Message

logger = logging.getLogger(__name__)

BATCH_PAIRINGS = 50_000
CANCELLABLE = (Message.Status.PENDING, Message.Status.QUEUED)

# Rules: the next due date is the last matching check-in (or the pairing's start) plus N days.
_RULES_SQL = """
INSERT INTO checkins_duestate (pairing_id, rule_id, event_id, last_contact_on, next_due_on, satisfied_on,
                               escalation, updated_at)
SELECT p.id, r.id, NULL, lc.last, COALESCE(lc.last, p.started_on) + r.every_days, NULL, 0, now()
FROM pairing_pairing p
JOIN children_child c ON c.id = p.child_id
JOIN checkins_contactrule r ON r.programme_id = p.programme_id AND r.is_active
     AND (r.categories = '[]'::jsonb OR r.categories ? c.category)
LEFT JOIN LATERAL (
    SELECT max(cic.occurred_on) AS last
    FROM checkins_checkinchild cic JOIN checkins_checkin ci ON ci.id = cic.checkin_id
    WHERE cic.pairing_id = p.id AND cic.occurred_on <= %(today)s AND r.kinds ? ci.kind
) lc ON true
WHERE p.status = 'active' AND {where}
ON CONFLICT (pairing_id, rule_id) WHERE rule_id IS NOT NULL DO UPDATE SET
    last_contact_on = EXCLUDED.last_contact_on,
    next_due_on = EXCLUDED.next_due_on,
    escalation = CASE WHEN checkins_duestate.next_due_on = EXCLUDED.next_due_on
                      THEN checkins_duestate.escalation ELSE 0 END,
    updated_at = now()
WHERE checkins_duestate.next_due_on IS DISTINCT FROM EXCLUDED.next_due_on
   OR checkins_duestate.last_contact_on IS DISTINCT FROM EXCLUDED.last_contact_on
"""

# Calendar events: the current occurrence is the first one whose grace period has not ended
# (and not before the pairing began); a matching check-in in [date - lead, date + grace]
# satisfies it. A birthday on 29 February falls on the 28th in other years.
_EVENTS_SQL = """
INSERT INTO checkins_duestate (pairing_id, rule_id, event_id, last_contact_on, next_due_on, satisfied_on,
                               escalation, updated_at)
SELECT p.id, NULL, e.id, sat.last, oc.occ, sat.last, 0, now()
FROM pairing_pairing p
JOIN children_child c ON c.id = p.child_id
JOIN checkins_calendarevent e ON e.programme_id = p.programme_id AND e.is_active
     AND (e.categories = '[]'::jsonb OR e.categories ? c.category)
JOIN LATERAL (
    SELECT min(o) AS occ FROM (
        SELECT CASE WHEN e.kind = 'dated' THEN (e.dates ->> y::text)::date
                    ELSE make_date(y, md.m, LEAST(md.d, extract(day from
                         (make_date(y, md.m, 1) + interval '1 month - 1 day'))::int)) END AS o
        FROM generate_series(extract(year from %(today)s::date)::int - 1,
                             extract(year from %(today)s::date)::int + 1) AS y,
             LATERAL (SELECT CASE WHEN e.kind = 'birthday' THEN extract(month from c.birth_date)::int
                                  ELSE e.month END AS m,
                             CASE WHEN e.kind = 'birthday' THEN extract(day from c.birth_date)::int
                                  ELSE e.day END AS d) AS md
    ) AS occs
    WHERE o IS NOT NULL AND o + e.grace_days >= %(today)s AND o >= p.started_on
) oc ON oc.occ IS NOT NULL
LEFT JOIN LATERAL (
    SELECT max(cic.occurred_on) AS last
    FROM checkins_checkinchild cic JOIN checkins_checkin ci ON ci.id = cic.checkin_id
    WHERE cic.pairing_id = p.id AND cic.occurred_on BETWEEN oc.occ - e.lead_days AND oc.occ + e.grace_days
      AND cic.occurred_on <= %(today)s AND (e.kinds = '[]'::jsonb OR e.kinds ? ci.kind)
) sat ON true
WHERE p.status = 'active' AND {where}
ON CONFLICT (pairing_id, event_id) WHERE event_id IS NOT NULL DO UPDATE SET
    last_contact_on = EXCLUDED.last_contact_on,
    next_due_on = EXCLUDED.next_due_on,
    satisfied_on = EXCLUDED.satisfied_on,
    escalation = CASE WHEN checkins_duestate.next_due_on = EXCLUDED.next_due_on
                      THEN checkins_duestate.escalation ELSE 0 END,
    updated_at = now()
WHERE checkins_duestate.next_due_on IS DISTINCT FROM EXCLUDED.next_due_on
   OR checkins_duestate.satisfied_on IS DISTINCT FROM EXCLUDED.satisfied_on
"""

# Rows of ended pairings and of rules or events switched off owe nothing any more.
_PRUNE_SQL = """
DELETE FROM checkins_duestate d USING pairing_pairing p
WHERE p.id = d.pairing_id AND {where} AND (
    p.status = 'ended'
    OR EXISTS (SELECT 1 FROM checkins_contactrule r WHERE r.id = d.rule_id AND NOT r.is_active)
    OR EXISTS (SELECT 1 FROM checkins_calendarevent e WHERE e.id = d.event_id AND NOT e.is_active)
)
"""


def today_local() -> datetime.date:
    """Return today's date in Asia/Shanghai (the settings' TIME_ZONE)."""
    return timezone.localdate()


def _run(sql: str, where: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(where=where), params)
        return cursor.rowcount


def due_refresh(*, today: datetime.date, pairing_ids: list[int] | None = None) -> int:
    """Recompute the due states of the given pairings (all active ones if None); return rows written."""
    if pairing_ids is not None:
        if not pairing_ids:
            return 0
        params = {"today": today, "ids": list(pairing_ids)}
        where = "p.id = ANY(%(ids)s)"
        with transaction.atomic():
            written = _run(_PRUNE_SQL, where, params)
            written += _run(_RULES_SQL, where, params) + _run(_EVENTS_SQL, where, params)
            _after_refresh(today=today, pairing_ids=pairing_ids)
        return written
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM pairing_pairing")
        low, high = cursor.fetchone()
    if low is None:
        return 0
    for start in range(low, high + 1, BATCH_PAIRINGS):
        params = {"today": today, "lo": start, "hi": start + BATCH_PAIRINGS}
        where = "p.id >= %(lo)s AND p.id < %(hi)s"
        with transaction.atomic():
            written += _run(_PRUNE_SQL, where, params)
            written += _run(_RULES_SQL, where, params) + _run(_EVENTS_SQL, where, params)
    _after_refresh(today=today, pairing_ids=None)
    return written


def _after_refresh(*, today: datetime.date, pairing_ids: list[int] | None) -> None:
    """Cancel reminders that a moved or met due date made pointless; close its escalations."""
    stale = Reminder.objects.filter(message__status__in=CANCELLABLE).exclude(
        due_state__next_due_on=F("due_on"), due_state__satisfied_on__isnull=True
    )
    if pairing_ids is not None:
        stale = stale.filter(pairing_id__in=pairing_ids)
    message_ids = list(stale.values_list("message_id", flat=True))
    if message_ids:
        Message.objects.filter(pk__in=message_ids, status__in=CANCELLABLE).update(
            status=Message.Status.CANCELLED,
            next_attempt_at=None,
            last_error="已关爱，提醒取消 / satisfied by a check-in",
        )
    open_escalations = Escalation.objects.filter(resolved_on__isnull=True).exclude(
        due_state__next_due_on=F("due_on"), due_state__satisfied_on__isnull=True
    )
    if pairing_ids is not None:
        open_escalations = open_escalations.filter(pairing_id__in=pairing_ids)
    open_escalations.update(resolved_on=today)
