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
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels import DeliveryDeferred, DeliveryError, SendResult, channel_for
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
_PARAMS = Message._meta.get_field("params")


class Claimed(NamedTuple):
    """A claimed row as the batch reads it, with what its hold-back checks need, read in the claim itself.

    A plain tuple, not a model instance: a batch of 100 sends most rows without ever needing
    one. The rows held back or failed become a ``Message`` (``as_message``) for the shared
    outcome writers.
    """

    id: int
    channel: str
    recipient: str
    user_id: int | None
    programme_id: int | None
    template: str
    params: dict
    body: str
    urgent: bool
    status: str
    attempts: int
    claimed_at: datetime.datetime
    provider: str
    provider_id: str
    programme_hours: tuple | None  # the programme's (start, end), None without a programme
    own_hours: tuple | None  # her own (start, end) (DeliveryPreference), None without
    recent_sent: int  # SMS sent to the number within OUTBOX_RATE_LIMIT's window
    first_recent: datetime.datetime | None  # the earliest of them
    opted_out: bool

    @property
    def pk(self) -> int:
        return self.id

    def as_message(self) -> Message:
        return Message.from_db(connection.alias, COLUMNS, self[: len(COLUMNS)])


# The hold-back checks' inputs of each claimed row ``c``, read in the claim's own statement (a
# few index probes a row) instead of four more queries a batch: the programme's and her own
# quiet hours, the number's SMS sent since the rate limit's window began (through the partial
# message_recipient_sent_idx), and whether it opted out. Urgent rows skip the first three.
_HOLD_BACK_SQL = (
    "SELECT c.*, p.quiet_hours_start, p.quiet_hours_end, d.quiet_hours_start, d.quiet_hours_end,"
    " r.sent, r.first_sent, o.id IS NOT NULL{extra} FROM claimed AS c"
    " LEFT JOIN {programme} AS p ON p.id = c.programme_id AND NOT c.urgent"
    " LEFT JOIN {preference} AS d ON d.user_id = c.user_id AND NOT c.urgent"
    " LEFT JOIN LATERAL (SELECT count(*) AS sent, min(s.sent_at) AS first_sent FROM {message} AS s"
    "  WHERE NOT c.urgent AND s.recipient = c.recipient AND s.channel = %s AND s.sent_at >= %s) AS r ON true"
    " LEFT JOIN {opt_out} AS o ON o.phone = c.recipient AND o.opted_out"
)


def _hold_back_sql(*, extra: str = "") -> str:
    from backend.programmes.models import Programme

    return _HOLD_BACK_SQL.format(
        extra=extra,
        programme=Programme._meta.db_table,
        preference=DeliveryPreference._meta.db_table,
        message=Message._meta.db_table,
        opt_out=SmsOptOut._meta.db_table,
    )


def _hold_back_params(now: datetime.datetime) -> list:
    _limit, window = settings.OUTBOX_RATE_LIMIT
    return [Message.Channel.SMS, now - datetime.timedelta(seconds=window)]


def _claimed(rows) -> list[Claimed]:
    n = len(COLUMNS)
    return [
        Claimed(
            *row[:6],
            _PARAMS.from_db_value(row[6], None, connection),
            *row[7:n],
            (row[n], row[n + 1]) if row[n] is not None else None,
            (row[n + 2], row[n + 3]) if row[n + 2] is not None or row[n + 3] is not None else None,
            row[n + 4] or 0,
            row[n + 5],
            row[n + 6],
        )
        for row in rows
    ]


def _claim_by_ids(message_ids: list[int], now: datetime.datetime, *, provider: str, tag: str) -> list[Claimed]:
    """Claim the due rows among ``message_ids`` in one statement, marking them with the batch's tag."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH claimed AS ("
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s, provider = %s, "
            f"provider_id = %s WHERE id = ANY(%s) AND status IN (%s, %s) AND next_attempt_at <= %s "
            f"RETURNING {', '.join(COLUMNS)}) " + _hold_back_sql(),
            [
                Message.Status.SENDING,
                now,
                provider,
                BATCH_TAG_PREFIX + tag,
                list(message_ids),
                Message.Status.PENDING,
                Message.Status.QUEUED,
                now,
                *_hold_back_params(now),
            ],
        )
        return _claimed(cursor.fetchall())


def claim_due_sql(now: datetime.datetime, *, provider: str, tag: str, limit: int) -> tuple[str, list]:
    """Return the statement (and its parameters) that claims a batch of ``provider``'s due rows."""
    from notifications.channels.routing import sms_route_filter_sql

    route, route_params = sms_route_filter_sql(provider)
    table = Message._meta.db_table
    sql = (
        f"WITH candidates AS ("
        f" SELECT id, recipient, next_attempt_at FROM {table}"
        f" WHERE status = %s AND next_attempt_at <= %s AND ({route})"
        f" ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED"
        f"), chosen AS ("
        f" SELECT DISTINCT ON (recipient) id FROM candidates ORDER BY recipient, next_attempt_at, id"
        f"), claimed AS ("
        f" UPDATE {table} AS m SET status = %s, attempts = m.attempts + 1, claimed_at = %s, provider = %s,"
        f" provider_id = %s FROM chosen WHERE m.id = chosen.id"
        f" RETURNING {', '.join('m.' + c for c in COLUMNS)}) "
        + _hold_back_sql(extra=", (SELECT count(*) FROM candidates)")
    )
    params = [
        Message.Status.PENDING,
        now,
        *route_params,
        limit,
        Message.Status.SENDING,
        now,
        provider,
        BATCH_TAG_PREFIX + tag,
        *_hold_back_params(now),
    ]
    return sql, params


def _claim_due(now: datetime.datetime, *, provider: str, tag: str, limit: int) -> tuple[list[Claimed], int]:
    """Claim up to ``limit`` due pending SMS that ``provider`` carries, each number once; one statement.

    Returns the claimed rows and how many due rows the claim looked at (``limit`` means
    there may be more). Rows of a number already in the batch stay pending for the next one.
    """
    with connection.cursor() as cursor:
        cursor.execute(*claim_due_sql(now, provider=provider, tag=tag, limit=limit))
        rows = cursor.fetchall()
    return _claimed(rows), (rows[0][-1] if rows else 0)


def _held_in_batch(rows: list[Claimed], now: datetime.datetime) -> list[Claimed]:
    """Hold back (quiet hours, rate limit) or cancel (opted out) what must not go now; return the rest."""
    limit, window = settings.OUTBOX_RATE_LIMIT
    opt_outs = None
    to_send = []
    quiet: dict[tuple, datetime.datetime | None] = {}  # by (programme's hours, her own): most rows share one
    for row in rows:
        if not row.urgent:
            key = (row.programme_hours, row.own_hours)
            if key not in quiet:
                programme = _Hours(*row.programme_hours) if row.programme_hours else None
                quiet[key] = quiet_hours_until(now=now, programme=programme, own=row.own_hours)
            until = quiet[key]
            if until:
                # the batch's tag belongs to this attempt only, as on a failure
                _release(row.as_message(), until, _("免打扰时段，稍后发送"), provider_id="")
                continue
            if row.recent_sent >= limit:
                _release(
                    row.as_message(),
                    row.first_recent + datetime.timedelta(seconds=window),
                    _("超过单个收件人的发送频率限制"),
                    provider_id="",
                )
                continue
        if row.opted_out:
            if opt_outs is None:
                opt_outs = {
                    o.phone: o for o in SmsOptOut.objects.filter(phone__in=[r.recipient for r in rows if r.opted_out])
                }
            if row.recipient in opt_outs:  # else she opted in again since the claim: send
                _opted_out(row.as_message(), opt_outs[row.recipient], provider_id="")
                continue
        to_send.append(row)
    return to_send


@dataclass(frozen=True)
class _Hours:
    """A programme's quiet hours, as quiet_hours_until reads them."""

    quiet_hours_start: datetime.time
    quiet_hours_end: datetime.time


def _sent_write(messages: list[Claimed], results: dict[int, SendResult], *, provider: str, now) -> int:
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


def _batch_send(messages: list[Claimed], *, provider: str, now: datetime.datetime) -> int:
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
        elif isinstance(outcome, DeliveryDeferred):
            # not reached in this batch (a channel's time budget): back to pending, not an attempt
            _release(message.as_message(), outcome.until, outcome.reason, provider_id="")
        else:
            # the batch's tag belongs to this attempt only
            _delivery_failed(message.as_message(), outcome, now, provider_id="")
    return _sent_write(sent, results, provider=provider, now=now)


def _tag() -> str:
    return uuid.uuid4().hex[:20]


def message_batch_deliver(*, message_ids: list[int], provider: str, now: datetime.datetime | None = None) -> int:
    """Send the due rows among ``message_ids`` through a batching provider, once each; return how many it accepted."""
    now = now or timezone.now()
    messages = _claim_by_ids(message_ids, now, provider=provider, tag=_tag())
    return _batch_send(messages, provider=provider, now=now) if messages else 0


# Full batches one task sends in a row before it ends (its successor, handed out at its first
# batch, keeps the chain going): a task's own cost (the broker's delivery and acknowledgement,
# the connection checks, about 2 ms of CPU) is then shared by up to 500 messages, not 100.
BATCHES_PER_TASK = 5


def sms_batch_send(*, provider: str, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Claim and send up to ``OUTBOX_SEND_BATCH`` due SMS that ``provider`` carries; return how many it accepted.

    A full batch means more may be due: a successor task goes to the broker before this one
    sends, so another worker process claims the next batch while this one waits on the provider.
    """
    return _batch_claim_send(provider=provider, now=now or timezone.now(), limit=limit, hand_on=True)[0]


def sms_batches_send(*, provider: str, batches: int = BATCHES_PER_TASK) -> int:
    """Send up to ``batches`` batches of ``provider``'s due SMS in a row while they come full; return how many it accepted.

    Only the first hands out a successor task: one per task keeps the chain going.
    """
    accepted = 0
    for number in range(max(1, batches)):
        sent, full = _batch_claim_send(provider=provider, now=timezone.now(), limit=None, hand_on=number == 0)
        accepted += sent
        if not full:
            break
    return accepted


def _batch_claim_send(*, provider: str, now: datetime.datetime, limit: int | None, hand_on: bool) -> tuple[int, bool]:
    """Claim and send one batch; return how many the provider accepted and whether the batch was full."""
    limit = limit or max(1, settings.OUTBOX_SEND_BATCH)
    messages, looked_at = _claim_due(now, provider=provider, tag=_tag(), limit=limit)
    if hand_on and looked_at >= limit:
        from notifications.tasks import sms_batch_send_task

        try:
            sms_batch_send_task.delay(provider)
        except Exception:
            # The broker is down: the dispatcher's next run starts the provider's batches again.
            logger.exception("could not hand out the next %s batch", provider)
    accepted = _batch_send(messages, provider=provider, now=now) if messages else 0
    return accepted, looked_at >= limit
