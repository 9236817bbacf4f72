"""Send outbox messages once each: the send task's claim, the dispatcher, recovery, staff actions."""

import datetime
import logging
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ops.errors import ServiceError
from notifications.channels import DeliveryDeferred, DeliveryError, OutgoingMessage, channel_for
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


def _release(message: Message, until: datetime.datetime, reason: str, **extra) -> Message:
    """Put a claimed row back to wait until ``until``; not an attempt, so give the count back.

    ``extra`` fields go in the same UPDATE.
    """
    return _finish(
        message,
        status=Message.Status.PENDING,
        attempts=message.attempts - 1,
        next_attempt_at=until,
        last_error=reason[:500],
        **extra,
    )


def _opted_out(message: Message, opt_out: SmsOptOut, **extra) -> Message:
    return _finish(
        message, status=Message.Status.CANCELLED, last_error=opt_out.reason[:500], error_code="opt-out", **extra
    )


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


def _delivery_failed(message: Message, exc: DeliveryError, now: datetime.datetime, **extra) -> Message:
    """Write a failed attempt: retry later with backoff, or fail for good; ``extra`` fields go in the same UPDATE."""
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
        return _finish(message, status=Message.Status.FAILED, last_error=error, error_code=exc.code, **extra)
    return _finish(
        message,
        status=Message.Status.PENDING,
        next_attempt_at=now + _backoff(message.attempts),
        last_error=error,
        error_code=exc.code,
        **extra,
    )


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
