"""Thin Celery tasks of the dashboard; each is safe to run twice."""

from celery import shared_task

from backend.dashboard import services


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def summary_refresh_task() -> int | None:
    """Store the figures of villages whose records changed (every minute; from 22:00 the next day's too)."""
    return services.summary_refresh()
