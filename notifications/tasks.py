from celery import shared_task

from notifications.services import message_batch_deliver, message_deliver, outbox_dispatch, outbox_recover


@shared_task(name="notifications.tasks.message_send_task", ignore_result=True)
def message_send_task(message_id: int) -> None:
    """Send one outbox message (a no-op if another run already claimed it)."""
    message_deliver(message_id=message_id)


@shared_task(name="notifications.tasks.message_batch_send_task", ignore_result=True)
def message_batch_send_task(message_ids: list[int], provider: str) -> None:
    """Send a batch of outbox SMS through one provider (rows another run claimed are skipped)."""
    message_batch_deliver(message_ids=message_ids, provider=provider)


@shared_task(name="notifications.tasks.outbox_dispatch_task", ignore_result=True)
def outbox_dispatch_task() -> None:
    """Recover stuck rows, then enqueue every due message (the one beat entry of the outbox)."""
    outbox_recover()
    outbox_dispatch()
