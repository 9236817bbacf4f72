from celery import shared_task

from notifications.services import message_deliver


@shared_task(name="notifications.tasks.message_send_task", ignore_result=True)
def message_send_task(message_id: int) -> None:
    """Send one outbox message (a no-op if another run already claimed it)."""
    message_deliver(message_id=message_id)
