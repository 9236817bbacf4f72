"""Writes to the service record: entries (check-ins, 补录, approval), honours, certificates."""

from backend.records.services.certificates import (
    certificate_decide,
    certificate_issue,
    certificate_request,
    certificate_revoke,
    issuer_for,
    issuer_update,
)
from backend.records.services.entries import (
    service_entries_approve_bulk,
    service_entries_sync,
    service_entry_attendance_withdrawn,
    service_entry_decide,
    service_entry_from_attendance,
    service_entry_from_checkin,
    service_entry_supplement,
)
from backend.records.services.people import (
    evaluation_record,
    nomination_decide,
    nomination_raise,
    training_from_screening,
    training_record,
)

__all__ = [
    "certificate_decide",
    "certificate_issue",
    "certificate_request",
    "certificate_revoke",
    "evaluation_record",
    "issuer_for",
    "issuer_update",
    "nomination_decide",
    "nomination_raise",
    "service_entries_approve_bulk",
    "service_entries_sync",
    "service_entry_attendance_withdrawn",
    "service_entry_decide",
    "service_entry_from_attendance",
    "service_entry_from_checkin",
    "service_entry_supplement",
    "training_from_screening",
    "training_record",
]
