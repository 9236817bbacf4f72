from celery import shared_task

from backend.accounts.services import phone_codes_purge


@shared_task(name="backend.volunteers.tasks.phone_codes_purge_task", ignore_result=True)
def phone_codes_purge_task() -> int:
    """Delete SMS verification codes older than a day (run daily by beat)."""
    return phone_codes_purge()
