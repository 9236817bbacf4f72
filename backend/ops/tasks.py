from celery import shared_task

from backend.ops.services import heartbeat_record


@shared_task(name="backend.ops.tasks.heartbeat_task", ignore_result=True)
def heartbeat_task() -> None:
    """Record that beat scheduled and a worker ran a task (shown by /healthz)."""
    heartbeat_record(name="celery")
