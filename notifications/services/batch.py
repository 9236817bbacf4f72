"""Send due SMS in batches through the providers that have batch calls (Aliyun, Tencent Cloud).

A batch task is handed out with nothing but a provider's name: it claims up to
``OUTBOX_SEND_BATCH`` due rows that provider carries (pending → sending, one statement,
``FOR UPDATE SKIP LOCKED``, never the same number twice in one batch), hands a successor
task to the broker while the batch was full, sends them with one HTTP session and writes
every accepted row in one more statement. A row is written twice on its way out, and the
dispatcher never touches it.

The claim marks every row with the batch's tag (the provider's OutId / SessionContext), so
a crash after the provider accepted a request is reconciled by recovery, never resent.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels import DeliveryError, SendResult, channel_for
from notifications.models import DeliveryPreference, Message, SmsOptOut
from notifications.services.create import quiet_hours_until
from notifications.services.secrets import SEALED
from notifications.services.send import BATCH_TAG_PREFIX, _delivery_failed, _opted_out, _outgoing, _release

logger = logging.getLogger(__name__)

# What a batch reads of its rows (the rest of the row stays deferred).
COLUMNS = (
    "id",
    "channel",
    "recipient",
    "user_id",
    "programme_id",
    "template",
    "params",
    "body",
    "urgent",
    "status",
    "attempts",
    "claimed_at",
    "provider",
    "provider_id",
)


def _claim_by_ids(message_ids: list[int], now: datetime.datetime, *, provider: str, tag: str) -> list[Message]:
    """Claim the due rows among ``message_ids`` in one statement, marking them with the batch's tag."""
    table = Message._meta.db_table
    return list(
        Message.objects.raw(
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s, provider = %s, "
            f"provider_id = %s WHERE id = ANY(%s) AND status IN (%s, %s) AND next_attempt_at <= %s "
            f"RETURNING {', '.join(COLUMNS)}",
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


def _claim_due(now: datetime.datetime, *, provider: str, tag: str, limit: int) -> tuple[list[Message], int]:
    """Claim up to ``limit`` due pending SMS that ``provider`` carries, each number once; one statement.

    Returns the claimed rows and how many due rows the claim looked at (``limit`` means
    there may be more). Rows of a number already in the batch stay pending for the next one.
    """
    from notifications.channels.routing import sms_route_sql

    route, route_params = sms_route_sql()
    table = Message._meta.db_table
    rows = list(
        Message.objects.raw(
            f"WITH candidates AS ("
            f" SELECT id, recipient, next_attempt_at FROM {table}"
            f" WHERE status = %s AND next_attempt_at <= %s AND ({route}) = %s"
            f" ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED"
            f"), chosen AS ("
            f" SELECT DISTINCT ON (recipient) id FROM candidates ORDER BY recipient, next_attempt_at, id"
            f") UPDATE {table} AS m SET status = %s, attempts = m.attempts + 1, claimed_at = %s, provider = %s,"
            f" provider_id = %s FROM chosen WHERE m.id = chosen.id"
            f" RETURNING {', '.join('m.' + c for c in COLUMNS)}, (SELECT count(*) FROM candidates) AS candidates",
            [
                Message.Status.PENDING,
                now,
                *route_params,
                provider,
                limit,
                Message.Status.SENDING,
                now,
                provider,
                BATCH_TAG_PREFIX + tag,
            ],
        )
    )
    return rows, (rows[0].candidates if rows else 0)


def _held_in_batch(messages: list[Message], now: datetime.datetime) -> list[Message]:
    """Hold back (quiet hours, rate limit) or cancel (opted out) what must not go now; return the rest."""
    from backend.programmes.models import Programme

    people = [m for m in messages if not m.urgent]
    programmes = Programme.objects.in_bulk({m.programme_id for m in people if m.programme_id})
    own_hours = {
        user_id: (start, end)
        for user_id, start, end in DeliveryPreference.objects.filter(
            user_id__in={m.user_id for m in people if m.user_id}
        ).values_list("user_id", "quiet_hours_start", "quiet_hours_end")
    }
    limit, window = settings.OUTBOX_RATE_LIMIT
    recent: dict[str, list[datetime.datetime]] = {}
    if people:
        for recipient, sent_at in (
            Message.objects.filter(
                recipient__in=[m.recipient for m in people],
                channel=Message.Channel.SMS,
                sent_at__gte=now - datetime.timedelta(seconds=window),
            )
            .order_by("sent_at")
            .values_list("recipient", "sent_at")
        ):
            recent.setdefault(recipient, []).append(sent_at)
    opt_outs = {o.phone: o for o in SmsOptOut.objects.filter(phone__in=[m.recipient for m in messages], opted_out=True)}
    to_send = []
    quiet: dict[tuple, datetime.datetime | None] = {}  # by (programme, her own hours): most rows share one
    for message in messages:
        if not message.urgent:
            key = (message.programme_id, own_hours.get(message.user_id))
            if key not in quiet:
                quiet[key] = quiet_hours_until(now=now, programme=programmes.get(key[0]), own=key[1])
            until = quiet[key]
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
    ids = [m.pk for m in messages]
    with connection.cursor() as cursor:
        cursor.execute(
            # params - '_sealed': a one-time code is gone once sent, as in _finish (secrets.py)
            f"UPDATE {table} AS m SET status = %s, provider = %s, provider_id = v.pid, segments = v.seg, "
            f"sent_at = %s, next_attempt_at = NULL, last_error = '', error_code = '', "
            f"params = m.params - %s::text "
            f"FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS v(id, pid, seg) "
            f"WHERE m.id = v.id AND m.status = %s",
            [
                Message.Status.SENT,
                provider,
                now,
                SEALED,
                ids,
                [results[pk].provider_id[:64] for pk in ids],
                [results[pk].segments for pk in ids],
                Message.Status.SENDING,
            ],
        )
        return cursor.rowcount


def _batch_send(messages: list[Message], *, provider: str, now: datetime.datetime) -> int:
    """Send claimed rows through the provider in batch calls; return how many it accepted."""
    messages = _held_in_batch(sorted(messages, key=lambda m: m.pk), now)
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
            # the batch's tag belongs to this attempt only
            _delivery_failed(message, outcome, now, provider_id="")
    return _sent_write(sent, results, provider=provider, now=now)


def _tag() -> str:
    return uuid.uuid4().hex[:20]


def message_batch_deliver(*, message_ids: list[int], provider: str, now: datetime.datetime | None = None) -> int:
    """Send the due rows among ``message_ids`` through a batching provider, once each; return how many it accepted."""
    now = now or timezone.now()
    messages = _claim_by_ids(message_ids, now, provider=provider, tag=_tag())
    return _batch_send(messages, provider=provider, now=now) if messages else 0


def sms_batch_send(*, provider: str, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Claim and send up to ``OUTBOX_SEND_BATCH`` due SMS that ``provider`` carries; return how many it accepted.

    A full batch means more may be due: a successor task goes to the broker before this one
    sends, so another worker process claims the next batch while this one waits on the provider.
    """
    now = now or timezone.now()
    limit = limit or max(1, settings.OUTBOX_SEND_BATCH)
    messages, looked_at = _claim_due(now, provider=provider, tag=_tag(), limit=limit)
    if looked_at >= limit:
        from notifications.tasks import sms_batch_send_task

        try:
            sms_batch_send_task.delay(provider)
        except Exception:
            # The broker is down: the dispatcher's next run starts the provider's batches again.
            logger.exception("could not hand out the next %s batch", provider)
    return _batch_send(messages, provider=provider, now=now) if messages else 0
