"""Thin Celery tasks of the check-ins app; each is safe to run twice."""

from celery import shared_task

from backend.checkins import services

# The whole-platform passes take minutes at scale: above the default 5-minute limit, below
# the broker's visibility timeout (1 h) so that Redis does not hand them out a second time.
LONG = {"acks_late": True, "soft_time_limit": 1800, "time_limit": 1900}


@shared_task(**LONG)
def due_nightly_task() -> dict:
    """Recompute what is due for every active pairing, queue reminders and escalate (01:30)."""
    result = services.due_nightly()
    return {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()}) for k, v in result.items()}


@shared_task(**LONG)
def reminders_hourly_task() -> int:
    """Give pairings approved since the last pass their due dates, then queue what became due."""
    today = services.today_local()
    services.due_refresh(today=today)
    return services.reminders_create(today=today)


@shared_task(acks_late=True)
def county_digests_weekly_task() -> int:
    """Send each county's WeCom group its weekly list of long-overdue pairings."""
    return services.county_digests_send(today=services.today_local())


@shared_task(**LONG)
def due_full_refresh_task() -> int:
    """Recompute every due state (after rules change, and weekly as a repair pass)."""
    return services.due_refresh(today=services.today_local(), full=True)
