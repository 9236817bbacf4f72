"""The outbox's beat entry: start the batch sends, enqueue the other due rows, recover stuck rows.

Rows a batching provider carries (Aliyun, Tencent Cloud) are not touched here: the
dispatcher counts them in the database and starts that provider's batch tasks, which claim
rows themselves (notifications.services.batch). Every other due row (Twilio, WeChat, WeCom,
the local channel) is marked queued and gets one send task.
"""

import datetime
import logging
import math

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels import DeliveryError, channel_for
from notifications.models import Message
from notifications.services.send import _outgoing

logger = logging.getLogger(__name__)


def _batching() -> tuple[str, ...]:
    from notifications.channels.routing import BATCH_CHANNELS

    return BATCH_CHANNELS if settings.OUTBOX_SEND_BATCH > 1 else ()


def outbox_dispatch(
    *, now: datetime.datetime | None = None, batch_size: int | None = None, max_batches: int = 100
) -> int:
    """Start batch sends for due rows of batching providers; claim other due rows, a send task each.

    Returns how many due rows it handed out (for batching providers: found due, at most
    ``batch_size × max_batches``, for their batch tasks to claim).
    """
    from notifications.tasks import message_send_task

    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_DISPATCH_BATCH
    total = _batch_sends_start(now, limit=batch_size * max_batches)
    for _batch in range(max_batches):
        ids = _claim_due(now, batch_size)
        # After commit: a crash here leaves rows in queued, which outbox_recover puts back.
        for position, pk in enumerate(ids):
            try:
                message_send_task.delay(pk)
            except Exception:
                # The broker is down: put back what was not enqueued, for the next run to send
                # rather than recovery after OUTBOX_QUEUED_STUCK_SECONDS (a sent one's claim is a no-op).
                Message.objects.filter(pk__in=ids[position:], status=Message.Status.QUEUED, claimed_at=now).update(
                    status=Message.Status.PENDING
                )
                raise
        total += len(ids)
        if len(ids) < batch_size:
            break
    return total


def _batch_sends_start(now: datetime.datetime, *, limit: int) -> int:
    """Count due rows per batching provider (in the database) and start its batch tasks; return the count.

    Up to ``OUTBOX_BATCH_TASKS`` tasks a provider: each hands on to a successor while its
    batch was full, so a few keep every worker process busy for as long as rows are due.
    """
    from notifications.channels.routing import sms_route_sql
    from notifications.tasks import sms_batch_send_task

    providers = _batching()
    if not providers:
        return 0
    route, route_params = sms_route_sql()
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT route, count(*) FROM (SELECT ({route}) AS route FROM {table} "
            f"WHERE status = %s AND next_attempt_at <= %s AND ({route}) = ANY(%s) LIMIT %s) AS due GROUP BY route",
            [*route_params, Message.Status.PENDING, now, *route_params, list(providers), limit],
        )
        due = dict(cursor.fetchall())
    size = max(1, settings.OUTBOX_SEND_BATCH)
    for provider, count in sorted(due.items()):
        for _task in range(min(math.ceil(count / size), max(1, settings.OUTBOX_BATCH_TASKS))):
            sms_batch_send_task.delay(provider)
    return sum(due.values())


def _claim_due(now: datetime.datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due pending rows queued (not those of batching providers); one statement.

    The inner SELECT ... FOR UPDATE SKIP LOCKED reads the partial index of pending rows and
    skips rows others hold; the ids come back oldest due first.
    """
    from notifications.channels.routing import sms_route_sql

    table = Message._meta.db_table
    route, route_params = sms_route_sql()
    providers = list(_batching())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE status = %s AND next_attempt_at <= %s AND ({route}) <> ALL(%s) "
            f"ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) "
            f"RETURNING id, next_attempt_at",
            [Message.Status.QUEUED, now, Message.Status.PENDING, now, *route_params, providers, limit],
        )
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (row[1], row[0]))
    return [pk for pk, _due in rows]


def outbox_recover(
    *, now: datetime.datetime | None = None, limit: int = 200, claimed_before: datetime.datetime | None = None
) -> dict[str, int]:
    """Put back rows stuck in queued; reconcile rows stuck in sending before sending them again.

    A row is stuck when it was claimed longer ago than OUTBOX_*_STUCK_SECONDS (or before
    ``claimed_before``, for an operator who knows when workers died).
    """
    now = now or timezone.now()
    queued_cutoff = claimed_before or now - datetime.timedelta(seconds=settings.OUTBOX_QUEUED_STUCK_SECONDS)
    sending_cutoff = claimed_before or now - datetime.timedelta(seconds=settings.OUTBOX_SENDING_STUCK_SECONDS)
    requeued = Message.objects.filter(status=Message.Status.QUEUED, claimed_at__lt=queued_cutoff).update(
        status=Message.Status.PENDING, next_attempt_at=now
    )
    reconciled = resent = 0
    stuck = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=sending_cutoff).order_by("claimed_at")[
        :limit
    ]
    for message in stuck:
        # The worker may have crashed after the provider accepted the message but before we
        # wrote that down: ask the provider first, and send again only if nothing went out.
        channel = channel_for(message.channel, recipient=message.recipient, provider=message.provider)
        found = None
        if hasattr(channel, "reconcile"):
            try:
                found = channel.reconcile(_outgoing(message))
            except DeliveryError as exc:
                logger.warning("message %s: reconciliation failed, will try later: %s", message.pk, exc)
                continue
        same_attempt = Message.objects.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        )
        if found is not None:
            reconciled += same_attempt.update(
                status=Message.Status.SENT,
                provider=channel.name[:10],
                provider_id=found.provider_id[:64],
                segments=found.segments,
                sent_at=message.claimed_at,
                next_attempt_at=None,
                last_error=_("对账：服务商已受理"),
            )
        else:
            resent += same_attempt.update(
                status=Message.Status.PENDING,
                provider_id="",
                next_attempt_at=now,
                last_error=_("发送中断，服务商无记录，重新发送"),
            )
    return {"requeued": requeued, "reconciled": reconciled, "resent": resent}
