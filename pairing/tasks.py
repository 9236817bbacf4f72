from celery import shared_task

from pairing.services import pairing_run_execute, pairing_run_part_execute


@shared_task(name="pairing.tasks.pairing_run_task", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def pairing_run_task(run_id: int) -> None:
    """Split a pairing run into parts and start them (solving a single part here)."""
    pairing_run_execute(run_id=run_id)


@shared_task(name="pairing.tasks.pairing_run_part_task", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def pairing_run_part_task(part_id: int) -> None:
    """Solve one part (a county) of a pairing run and save its proposals."""
    pairing_run_part_execute(part_id=part_id)
