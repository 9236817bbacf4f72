"""Periodic work of the activities app: thin tasks over the services."""

from celery import shared_task

from backend.activities import services


@shared_task
def offers_expire_task() -> int:
    """Let lapsed waiting-list offers go and offer each place to the next person."""
    return services.offers_expire()


@shared_task
def reminders_day_before_task() -> int:
    """Queue the day-before reminders of tomorrow's sessions (idempotent: one per sign-up and session)."""
    return services.reminders_day_before()
