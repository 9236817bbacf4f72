import importlib
import logging

from celery import shared_task
from celery.signals import worker_init
from django.core.exceptions import ImproperlyConfigured

from notifications.services import (
    message_batch_deliver,
    message_deliver,
    outbox_dispatch,
    outbox_recover,
    sms_batches_send,
)


@shared_task(name="notifications.tasks.message_send_task", ignore_result=True)
def message_send_task(message_id: int) -> None:
    """Send one outbox message (a no-op if another run already claimed it)."""
    message_deliver(message_id=message_id)


@shared_task(name="notifications.tasks.sms_batch_send_task", ignore_result=True)
def sms_batch_send_task(provider: str) -> None:
    """Claim and send batches of due SMS through a batching provider, a few in a row (nothing due: a no-op)."""
    sms_batches_send(provider=provider)


@shared_task(name="notifications.tasks.message_batch_send_task", ignore_result=True)
def message_batch_send_task(message_ids: list[int], provider: str) -> None:
    """Send given rows in one batch (the tasks an earlier version's dispatcher queued; rows others claimed are skipped)."""
    message_batch_deliver(message_ids=message_ids, provider=provider)


@shared_task(name="notifications.tasks.outbox_dispatch_task", ignore_result=True)
def outbox_dispatch_task() -> None:
    """Recover stuck rows, then enqueue every due message (the one beat entry of the outbox)."""
    outbox_recover()
    outbox_dispatch()


SMS_CHANNEL_MODULES = {"twilio": "sms", "aliyun": "aliyun", "tencent": "tencent"}


@worker_init.connect
def sms_channels_preload(**_kwargs) -> None:
    """Import the configured SMS channels' SDKs in the worker before it forks its pool.

    The vendors' SDKs load hundreds of modules (seconds of CPU): once in the parent rather
    than in every pool process at its first message.
    """
    from notifications.channels.routing import sms_channel_names

    try:
        names = sms_channel_names()
    except ImproperlyConfigured as exc:
        logging.getLogger(__name__).error("%s", exc)
        return
    for name in names:
        if name in SMS_CHANNEL_MODULES:
            importlib.import_module(f"notifications.channels.{SMS_CHANNEL_MODULES[name]}")
