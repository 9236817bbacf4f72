"""Writes of the check-ins app: check-ins, the due computation, reminders and escalation."""

from backend.checkins.services.checkins import (  # noqa: F401
    checkin_acknowledge,
    checkin_create,
    checkin_sms_reply,
    pairings_of_volunteer,
    photo_validate,
)
from backend.checkins.services.defaults import contact_rules_default  # noqa: F401
from backend.checkins.services.due import due_refresh, today_local
from backend.checkins.services.reminders import (  # noqa: F401
    county_digests_send,
    escalations_raise,
    reminders_create,
    staff_digests_send,
)


def due_nightly(*, today=None) -> dict:
    """Run the nightly pass: recompute what is due, queue reminders, escalate; return figures."""
    today = today or today_local()
    written = due_refresh(today=today)
    reminders = reminders_create(today=today)
    escalated = escalations_raise(today=today)
    digests = staff_digests_send(today=today)
    return {"due_rows_written": written, "reminders": reminders, "escalated": escalated, "staff_digests": digests}
