"""The due computation: set-based SQL over all active pairings, in batches of pairing ids.

Per batch, one statement aggregates the latest check-in of each kind per pairing and
inserts or updates every (pairing, rule) and (pairing, calendar event) due state; rows
whose dates did not change are not written. The nightly pass is incremental: it adds
the states of new pairings and rolls calendar dates whose window has closed; a check-in
recomputes its own pairings at once, and ``full=True`` (weekly, or after rules change)
recomputes everything.
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

# Candidates first (materialized): in the nightly incremental pass only the (pairing, rule)
# and (pairing, event) pairs that have no state yet or whose calendar window closed; every
# pair of the batch when ``full``. The latest check-in of each kind is read for those only.
_LATEST = """
    SELECT cic.pairing_id, ci.kind, max(cic.occurred_on) AS last
    FROM checkins_checkinchild cic JOIN checkins_checkin ci ON ci.id = cic.checkin_id
    WHERE {cic_where} AND cic.occurred_on <= %(today)s AND cic.pairing_id IN (SELECT pairing_id FROM cand)
    GROUP BY 1, 2
"""

# Rules: the next due date is the last matching check-in (or the pairing's start) plus N days.
_RULES_SQL = (
    """
WITH cand AS MATERIALIZED (
    SELECT p.id AS pairing_id, r.id AS rule_id
    FROM pairing_pairing p
    JOIN children_child c ON c.id = p.child_id
    JOIN checkins_contactrule r ON r.programme_id = p.programme_id AND r.is_active
         AND (r.categories = '[]'::jsonb OR r.categories ? c.category)
    LEFT JOIN checkins_duestate d0 ON d0.pairing_id = p.id AND d0.rule_id = r.id AND {d0_where}
    WHERE p.status = 'active' AND {where} AND ({full} OR d0.id IS NULL)
), k AS ("""
    + _LATEST
    + """), target AS (
    SELECT cand.pairing_id, cand.rule_id, max(k.last) AS last, p.started_on, r.every_days
    FROM cand
    JOIN pairing_pairing p ON p.id = cand.pairing_id
    JOIN checkins_contactrule r ON r.id = cand.rule_id
    LEFT JOIN k ON k.pairing_id = cand.pairing_id AND r.kinds ? k.kind
    GROUP BY cand.pairing_id, cand.rule_id, p.started_on, r.every_days
)
INSERT INTO checkins_duestate (pairing_id, rule_id, event_id, last_contact_on, next_due_on, satisfied_on,
                               escalation, updated_at)
SELECT pairing_id, rule_id, NULL, last, COALESCE(last, started_on) + every_days, NULL, 0, now() FROM target
ON CONFLICT (pairing_id, rule_id) WHERE rule_id IS NOT NULL DO UPDATE SET
    last_contact_on = EXCLUDED.last_contact_on,
    next_due_on = EXCLUDED.next_due_on,
    escalation = CASE WHEN checkins_duestate.next_due_on = EXCLUDED.next_due_on
                      THEN checkins_duestate.escalation ELSE 0 END,
    updated_at = now()
WHERE checkins_duestate.next_due_on IS DISTINCT FROM EXCLUDED.next_due_on
   OR checkins_duestate.last_contact_on IS DISTINCT FROM EXCLUDED.last_contact_on
"""
)

# Calendar events: the current occurrence is the first (last year, this year, next year)
# whose grace period has not ended and that is not before the pairing began; a matching
# check-in from lead_days before it satisfies it (later ones cannot be after today).
_EVENTS_SQL = (
    """
WITH cand AS MATERIALIZED (
    SELECT p.id AS pairing_id, e.id AS event_id
    FROM pairing_pairing p
    JOIN children_child c ON c.id = p.child_id
    JOIN checkins_calendarevent e ON e.programme_id = p.programme_id AND e.is_active
         AND (e.categories = '[]'::jsonb OR e.categories ? c.category)
    LEFT JOIN checkins_duestate d0 ON d0.pairing_id = p.id AND d0.event_id = e.id AND {d0_where}
    WHERE p.status = 'active' AND {where}
      AND ({full} OR d0.id IS NULL OR d0.next_due_on + e.grace_days < %(today)s)
), k AS ("""
    + _LATEST
    + """), target AS (
    SELECT cand.pairing_id, cand.event_id, oc.occ,
           max(k.last) FILTER (WHERE k.last >= oc.occ - e.lead_days) AS sat
    FROM cand
    JOIN pairing_pairing p ON p.id = cand.pairing_id
    JOIN children_child c ON c.id = p.child_id
    JOIN checkins_calendarevent e ON e.id = cand.event_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN o1 + e.grace_days >= %(today)s AND o1 >= p.started_on THEN o1
                    WHEN o2 + e.grace_days >= %(today)s AND o2 >= p.started_on THEN o2
                    WHEN o3 + e.grace_days >= %(today)s AND o3 >= p.started_on THEN o3 END AS occ
        FROM (SELECT checkins_occurrence(e.kind, e.month, e.day, e.dates, c.birth_date, %(year)s - 1) AS o1,
                     checkins_occurrence(e.kind, e.month, e.day, e.dates, c.birth_date, %(year)s) AS o2,
                     checkins_occurrence(e.kind, e.month, e.day, e.dates, c.birth_date, %(year)s + 1) AS o3
              OFFSET 0) AS y
    ) AS oc
    LEFT JOIN k ON k.pairing_id = cand.pairing_id AND (e.kinds = '[]'::jsonb OR e.kinds ? k.kind)
    WHERE oc.occ IS NOT NULL
    GROUP BY cand.pairing_id, cand.event_id, oc.occ
)
INSERT INTO checkins_duestate (pairing_id, rule_id, event_id, last_contact_on, next_due_on, satisfied_on,
                               escalation, updated_at)
SELECT pairing_id, NULL, event_id, sat, occ, sat, 0, now() FROM target
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
)

# What is owed no more: ended pairings, rules or events switched off, and calendar dates
# whose window closed with no next date configured.
_PRUNE_SQL = """
DELETE FROM checkins_duestate d0 USING pairing_pairing p
WHERE p.id = d0.pairing_id AND {d0_where} AND (
    p.status = 'ended'
    OR EXISTS (SELECT 1 FROM checkins_contactrule r WHERE r.id = d0.rule_id AND NOT r.is_active)
    OR EXISTS (SELECT 1 FROM checkins_calendarevent e WHERE e.id = d0.event_id
               AND (NOT e.is_active OR d0.next_due_on + e.grace_days < %(today)s))
)
"""


def today_local() -> datetime.date:
    """Return today's date in Asia/Shanghai (the settings' TIME_ZONE)."""
    return timezone.localdate()


def _refresh_part(*, where: str, cic_where: str, params: dict, full: bool) -> int:
    written = 0
    d0_where = cic_where.replace("cic.", "d0.")
    with connection.cursor() as cursor:
        # Short statements over many rows: compiling them (JIT) costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        for sql in (_RULES_SQL, _EVENTS_SQL, _PRUNE_SQL):
            sql = sql.format(where=where, cic_where=cic_where, d0_where=d0_where, full="true" if full else "false")
            cursor.execute(sql, params)
            written += max(cursor.rowcount, 0)
    return written


def due_refresh(*, today: datetime.date, pairing_ids: list[int] | None = None, full: bool = False) -> int:
    """Bring due states up to date for the given pairings (fully) or for all active ones; return rows written.

    Without ``pairing_ids`` the pass is incremental unless ``full``: new pairings get their
    states and closed calendar windows roll to the next date.
    """
    base = {"today": today, "year": today.year}
    if pairing_ids is not None:
        if not pairing_ids:
            return 0
        with transaction.atomic():
            written = _refresh_part(
                where="p.id = ANY(%(ids)s)",
                cic_where="cic.pairing_id = ANY(%(ids)s)",
                params={**base, "ids": list(pairing_ids)},
                full=True,
            )
            _after_refresh(today=today, pairing_ids=pairing_ids)
        return written
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM pairing_pairing")
        low, high = cursor.fetchone()
    if low is None:
        return 0
    written = 0
    for start in range(low, high + 1, BATCH_PAIRINGS):
        with transaction.atomic():
            written += _refresh_part(
                where="p.id >= %(lo)s AND p.id < %(hi)s",
                cic_where="cic.pairing_id >= %(lo)s AND cic.pairing_id < %(hi)s",
                params={**base, "lo": start, "hi": start + BATCH_PAIRINGS},
                full=full,
            )
    _after_refresh(today=today, pairing_ids=None)
    return written


def _after_refresh(*, today: datetime.date, pairing_ids: list[int] | None) -> None:
    """Cancel reminders that a moved or met due date made pointless; close its escalations."""
    met = ~Q_open_same_date()
    stale = Reminder.objects.filter(met, message__status__in=CANCELLABLE)
    if pairing_ids is not None:
        stale = stale.filter(pairing_id__in=pairing_ids)
    message_ids = list(stale.values_list("message_id", flat=True))
    if message_ids:
        Message.objects.filter(pk__in=message_ids, status__in=CANCELLABLE).update(
            status=Message.Status.CANCELLED,
            next_attempt_at=None,
            last_error="已关爱，提醒取消",
        )
    open_escalations = Escalation.objects.filter(met, resolved_on__isnull=True)
    if pairing_ids is not None:
        open_escalations = open_escalations.filter(pairing_id__in=pairing_ids)
    open_escalations.update(resolved_on=today)


def Q_open_same_date():
    """Rows whose due state still owes the same due date (not moved, not met)."""
    from django.db.models import Q

    return Q(due_state__next_due_on=F("due_on"), due_state__satisfied_on__isnull=True)
