"""Send outbox messages once each: the send task's claim, the dispatcher, recovery, staff actions."""

import datetime
import logging
import random
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ops.errors import ServiceError
from notifications.channels import DeliveryDeferred, DeliveryError, OutgoingMessage, SendResult, channel_for
from notifications.models import Message, SmsOptOut, WeChatBinding
from notifications.services.create import quiet_hours_until
from notifications.services.secrets import SEALED, message_secrets_cleared, message_secrets_open
from notifications.services.subscribers import sms_opt_out

logger = logging.getLogger(__name__)
FINISHED = (Message.Status.SENT, Message.Status.FAILED, Message.Status.CANCELLED)

# --- sending -----------------------------------------------------------------------


def _backoff(attempts: int) -> datetime.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    seconds = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _finish(message: Message, **fields) -> Message:
    """Write the outcome of an attempt if the row is still ours (status sending); return the row."""
    if fields.get("status") in FINISHED and SEALED in (message.params or {}):
        fields["params"] = message_secrets_cleared(message.params)  # the one-time code is gone once sent
    if Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields):
        for name, value in fields.items():
            setattr(message, name, value)
    else:
        message.refresh_from_db()
    return message


def _claim(message_id: int, now: datetime.datetime) -> Message | None:
    """Claim a due row for sending in one statement (UPDATE ... RETURNING); None if it is not ours."""
    table = Message._meta.db_table
    rows = list(
        Message.objects.raw(
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s "
            f"WHERE id = %s AND status IN (%s, %s) AND next_attempt_at <= %s RETURNING *",
            [Message.Status.SENDING, now, message_id, Message.Status.PENDING, Message.Status.QUEUED, now],
        )
    )
    return rows[0] if rows else None


def _rate_limited_until(message: Message, now: datetime.datetime) -> datetime.datetime | None:
    limit, window = settings.OUTBOX_RATE_LIMIT
    since = now - datetime.timedelta(seconds=window)
    recent = list(
        Message.objects.filter(recipient=message.recipient, channel=message.channel, sent_at__gte=since)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[0] + datetime.timedelta(seconds=window)


BATCH_TAG_PREFIX = "out:"


def _attempt_tag(message: Message) -> str:
    # A batch claim writes its tag into provider_id ("out:<tag>") until the provider answers;
    # a single send's tag is the row and attempt, so recovery can compute it again.
    if message.status == Message.Status.SENDING and message.provider_id.startswith(BATCH_TAG_PREFIX):
        return message.provider_id[len(BATCH_TAG_PREFIX) :]
    return f"m{message.pk}a{message.attempts}"


def _outgoing(message: Message) -> OutgoingMessage:
    params, text = message_secrets_open(message)
    return OutgoingMessage(
        message_id=message.pk,
        to=message.recipient,
        text=text,
        template=message.template,
        params=params,
        attempt_started_at=message.claimed_at,
        attempt_tag=_attempt_tag(message),
    )


def _release(message: Message, until: datetime.datetime, reason: str) -> Message:
    """Put a claimed row back to wait until ``until``; not an attempt, so give the count back."""
    return _finish(
        message,
        status=Message.Status.PENDING,
        attempts=message.attempts - 1,
        next_attempt_at=until,
        last_error=reason[:500],
    )


def _opted_out(message: Message, opt_out: SmsOptOut) -> Message:
    return _finish(message, status=Message.Status.CANCELLED, last_error=opt_out.reason[:500], error_code="opt-out")


def message_deliver(*, message_id: int, now: datetime.datetime | None = None) -> Message | None:
    """Send one due message through its channel, once; return it, or None if someone else has it."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None

    def release(until: datetime.datetime, reason: str) -> Message:
        return _release(message, until, reason)

    if not message.urgent:
        until = quiet_hours_until(
            now=now,
            programme=message.programme if message.programme_id else None,
            user=message.user_id,
        )
        if until:
            return release(until, _("免打扰时段，稍后发送"))
        # People are rate limited; a group robot has its own per-minute throttle (channels/wecom.py).
        until = _rate_limited_until(message, now) if message.channel != Message.Channel.WECOM else None
        if until:
            return release(until, _("超过单个收件人的发送频率限制"))
    if message.channel == Message.Channel.SMS:
        opt_out = SmsOptOut.objects.filter(phone=message.recipient, opted_out=True).first()
        if opt_out is not None:
            return _opted_out(message, opt_out)
    try:
        channel = channel_for(message.channel, recipient=message.recipient)
        result = channel.send(_outgoing(message))
    except DeliveryDeferred as exc:
        return release(exc.until, exc.reason)
    except DeliveryError as exc:
        return _delivery_failed(message, exc, now)
    except Exception as exc:
        logger.exception("message %s: unexpected error in channel %s", message.pk, message.channel)
        return _delivery_failed(message, DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False), now)
    return _finish(
        message,
        status=Message.Status.SENT,
        provider=channel.name[:10],
        provider_id=result.provider_id[:64],
        segments=result.segments,
        sent_at=now,
        next_attempt_at=None,
        last_error="",
        error_code="",
    )


def _delivery_failed(message: Message, exc: DeliveryError, now: datetime.datetime) -> Message:
    error = str(exc)[:500]
    if exc.opt_out:
        sms_opt_out(phone=message.recipient, source=SmsOptOut.Source.PROVIDER, keyword=exc.code)
        error = _("服务商拒发：该号码已退订（%(code)s）") % {"code": exc.code}
    if exc.unusable and message.user_id:
        WeChatBinding.objects.filter(user_id=message.user_id, openid=message.recipient).update(
            usable=False, unusable_reason=error[:200]
        )
        phone = getattr(message.user, "phone", None)
        if phone:
            # The volunteer can no longer get WeChat messages: this one goes by SMS instead.
            return _finish(
                message,
                channel=Message.Channel.SMS,
                recipient=phone,
                status=Message.Status.PENDING,
                next_attempt_at=now,
                last_error=(_("微信不可用，改为短信：") + error)[:500],
                error_code=exc.code,
            )
    if exc.permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _finish(message, status=Message.Status.FAILED, last_error=error, error_code=exc.code)
    return _finish(
        message,
        status=Message.Status.PENDING,
        next_attempt_at=now + _backoff(message.attempts),
        last_error=error,
        error_code=exc.code,
    )


# --- sending in batches (providers with batch calls: aliyun, tencent) ----------------------


def _claim_batch(message_ids: list[int], now: datetime.datetime, *, provider: str, tag: str) -> list[Message]:
    """Claim the due rows among ``message_ids`` in one statement, marking them with the batch's tag."""
    table = Message._meta.db_table
    return list(
        Message.objects.raw(
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s, provider = %s, "
            f"provider_id = %s WHERE id = ANY(%s) AND status IN (%s, %s) AND next_attempt_at <= %s "
            f"RETURNING *",
            [
                Message.Status.SENDING,
                now,
                provider,
                BATCH_TAG_PREFIX + tag,
                list(message_ids),
                Message.Status.PENDING,
                Message.Status.QUEUED,
                now,
            ],
        )
    )


def _held_in_batch(messages: list[Message], now: datetime.datetime) -> list[Message]:
    """Hold back (quiet hours, rate limit) or cancel (opted out) what must not go now; return the rest."""
    from backend.programmes.models import Programme

    programmes = Programme.objects.in_bulk({m.programme_id for m in messages if m.programme_id})
    limit, window = settings.OUTBOX_RATE_LIMIT
    recent: dict[str, list[datetime.datetime]] = {}
    people = [m.recipient for m in messages if not m.urgent]
    if people:
        for recipient, sent_at in (
            Message.objects.filter(
                recipient__in=people, channel=Message.Channel.SMS, sent_at__gte=now - datetime.timedelta(seconds=window)
            )
            .order_by("sent_at")
            .values_list("recipient", "sent_at")
        ):
            recent.setdefault(recipient, []).append(sent_at)
    opt_outs = {o.phone: o for o in SmsOptOut.objects.filter(phone__in=[m.recipient for m in messages], opted_out=True)}
    to_send = []
    for message in messages:
        if not message.urgent:
            until = quiet_hours_until(now=now, programme=programmes.get(message.programme_id))
            if until:
                _release(message, until, _("免打扰时段，稍后发送"))
                continue
            times = recent.get(message.recipient, [])
            if len(times) >= limit:
                _release(
                    message,
                    times[0] + datetime.timedelta(seconds=window),
                    _("超过单个收件人的发送频率限制"),
                )
                continue
        if message.recipient in opt_outs:
            _opted_out(message, opt_outs[message.recipient])
            continue
        to_send.append(message)
    return to_send


def _sent_write(messages: list[Message], results: dict[int, SendResult], *, provider: str, now) -> int:
    """Record what the provider accepted, in one statement for the whole batch."""
    if not messages:
        return 0
    table = Message._meta.db_table
    values = ", ".join(["(%s::bigint, %s::text, %s::int)"] * len(messages))
    params: list = []
    for message in messages:
        result = results[message.pk]
        params += [message.pk, result.provider_id[:64], result.segments]
    with connection.cursor() as cursor:
        cursor.execute(
            # params - '_sealed': a one-time code is gone once sent, as in _finish (secrets.py)
            f"UPDATE {table} AS m SET status = %s, provider = %s, provider_id = v.pid, segments = v.seg, "
            f"sent_at = %s, next_attempt_at = NULL, last_error = '', error_code = '', params = m.params - %s::text "
            f"FROM (VALUES {values}) AS v(id, pid, seg) WHERE m.id = v.id AND m.status = %s",
            [Message.Status.SENT, provider, now, SEALED, *params, Message.Status.SENDING],
        )
        return cursor.rowcount


def message_batch_deliver(*, message_ids: list[int], provider: str, now: datetime.datetime | None = None) -> int:
    """Send due SMS rows through a batching provider, once each; return how many it accepted.

    The claim marks every row with the batch's tag (the provider's OutId / SessionContext), so
    a crash after the provider accepted a request is reconciled by recovery, never resent.
    """
    now = now or timezone.now()
    messages = _claim_batch(message_ids, now, provider=provider, tag=uuid.uuid4().hex[:20])
    if not messages:
        return 0
    messages = _held_in_batch(messages, now)
    if not messages:
        return 0
    channel = channel_for(Message.Channel.SMS, provider=provider)
    try:
        outcomes = channel.send_batch([_outgoing(m) for m in messages])
    except Exception as exc:
        logger.exception("batch of %d: unexpected error in channel %s", len(messages), provider)
        error = DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False)
        outcomes = [error] * len(messages)
    sent, results = [], {}
    for message, outcome in zip(messages, outcomes, strict=True):
        if isinstance(outcome, SendResult):
            sent.append(message)
            results[message.pk] = outcome
        else:
            message.provider_id = ""  # the batch's tag belongs to this attempt only
            Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(provider_id="")
            _delivery_failed(message, outcome, now)
    return _sent_write(sent, results, provider=provider, now=now)


# --- the dispatcher and recovery ---------------------------------------------------


def outbox_dispatch(
    *, now: datetime.datetime | None = None, batch_size: int | None = None, max_batches: int = 100
) -> int:
    """Claim due pending rows (skipping rows others hold), mark them queued, enqueue a send each."""
    from notifications.tasks import message_batch_send_task, message_send_task

    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_DISPATCH_BATCH
    total = 0
    for _batch in range(max_batches):
        rows = _claim_due(now, batch_size)
        ids = [pk for pk, _channel, _recipient in rows]
        # After commit: a crash here leaves rows in queued, which outbox_recover puts back.
        jobs = _send_jobs(rows)
        for position, (provider, job_ids) in enumerate(jobs):
            try:
                if provider:
                    message_batch_send_task.delay(job_ids, provider)
                else:
                    message_send_task.delay(job_ids[0])
            except Exception:
                # The broker is down: put back what was not enqueued, for the next run to send
                # rather than recovery after OUTBOX_QUEUED_STUCK_SECONDS (a sent one's claim is a no-op).
                left = [pk for _provider, pks in jobs[position:] for pk in pks]
                Message.objects.filter(pk__in=left, status=Message.Status.QUEUED, claimed_at=now).update(
                    status=Message.Status.PENDING
                )
                raise
        total += len(ids)
        if len(ids) < batch_size:
            break
    return total


def _claim_due(now: datetime.datetime, limit: int) -> list[tuple[int, str, str]]:
    """Mark up to ``limit`` due pending rows queued, skipping rows others hold; one statement.

    The inner SELECT ... FOR UPDATE SKIP LOCKED reads the partial index of pending rows; the
    claimed rows come back oldest due first as (id, channel, recipient).
    """
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE status = %s AND next_attempt_at <= %s "
            f"ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) "
            f"RETURNING id, channel, recipient, next_attempt_at",
            [Message.Status.QUEUED, now, Message.Status.PENDING, now, limit],
        )
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (row[3], row[0]))
    return [(pk, channel, recipient) for pk, channel, recipient, _due in rows]


def _send_jobs(rows: list[tuple[int, str, str]]) -> list[tuple[str, list[int]]]:
    """Split claimed rows into send tasks: a batch per batching provider (no number twice in one), else one each."""
    from notifications.channels.routing import BATCH_CHANNELS, sms_route

    size = max(1, settings.OUTBOX_SEND_BATCH)
    rule = settings.SMS_CHANNEL
    jobs: list[tuple[str, list[int]]] = []
    open_batches: dict[str, list[tuple[list[int], set[str]]]] = {}
    for pk, channel, recipient in rows:
        provider = sms_route(recipient, rule) if channel == Message.Channel.SMS else ""
        if provider not in BATCH_CHANNELS or size == 1:
            jobs.append(("", [pk]))
            continue
        batches = open_batches.setdefault(provider, [])
        for batch_ids, numbers in batches:
            if len(batch_ids) < size and recipient not in numbers:
                batch_ids.append(pk)
                numbers.add(recipient)
                break
        else:
            batch_ids = [pk]
            batches.append((batch_ids, {recipient}))
            jobs.append((provider, batch_ids))
    return jobs


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


# --- staff actions -------------------------------------------------------------------

RETRYABLE = (Message.Status.FAILED, Message.Status.CANCELLED)
CANCELLABLE = (Message.Status.PENDING, Message.Status.QUEUED)


@transaction.atomic
def message_retry(*, message: Message, by=None) -> Message:
    """Send a failed or cancelled message again, now."""
    updated = Message.objects.filter(pk=message.pk, status__in=RETRYABLE).update(
        status=Message.Status.PENDING,
        next_attempt_at=timezone.now(),
        last_error=_("由 %(who)s 重新发送") % {"who": getattr(by, "username", "-")},
        error_code="",
    )
    if not updated:
        raise ServiceError(_("只有失败或已取消的消息可以重发"), field="status")
    from notifications.tasks import message_send_task

    transaction.on_commit(lambda: message_send_task.delay(message.pk))
    message.refresh_from_db()
    return message


@transaction.atomic
def message_cancel(*, message: Message, by=None) -> Message:
    """Cancel a message that has not gone out yet."""
    updated = Message.objects.filter(pk=message.pk, status__in=CANCELLABLE).update(
        status=Message.Status.CANCELLED,
        next_attempt_at=None,
        last_error=_("由 %(who)s 取消") % {"who": getattr(by, "username", "-")},
    )
    if not updated:
        raise ServiceError(_("只有待发送或已排队的消息可以取消"), field="status")
    message.refresh_from_db()
    return message
