"""Thin Celery tasks of the service record; each is safe to run twice."""

import datetime

from celery import shared_task
from django.utils import timezone

from backend.records import services

SYNC_DAYS = 120


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def service_entries_sync_task() -> int:
    """Put check-ins of the last 120 days that have no ledger entry yet into the record (nightly, 02:10)."""
    return services.service_entries_sync(since=timezone.localdate() - datetime.timedelta(days=SYNC_DAYS))
