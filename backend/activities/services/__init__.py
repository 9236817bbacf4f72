"""Writes of the activities app (issue 20)."""

from backend.activities.services.attendance import attendance_mark
from backend.activities.services.family import article_publish, consultation_record
from backend.activities.services.signups import (
    activity_cancel,
    activity_create,
    activity_update,
    local_words,
    offer_accept,
    offers_expire,
    reminders_day_before,
    sessions_build,
    signup_cancel,
    signup_create,
    signup_from_token,
    signup_link,
    signup_notify,
    signup_position,
    signup_token,
)
from backend.activities.services.wishes import wish_claim, wish_fulfil, wish_publish, wish_record, wish_thank

__all__ = [
    "activity_cancel",
    "activity_create",
    "activity_update",
    "article_publish",
    "attendance_mark",
    "consultation_record",
    "local_words",
    "offer_accept",
    "offers_expire",
    "reminders_day_before",
    "sessions_build",
    "signup_cancel",
    "signup_create",
    "signup_from_token",
    "signup_link",
    "signup_notify",
    "signup_position",
    "signup_token",
    "wish_claim",
    "wish_fulfil",
    "wish_publish",
    "wish_record",
    "wish_thank",
]
