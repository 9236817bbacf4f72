"""Writes of the delivery app: put messages in the outbox, send them, and keep the outbox healthy.

A message is a row created in the caller's transaction; only after that commits is a
task enqueued (and the dispatcher on beat picks up anything due that was not). A send
task claims its row with a conditional UPDATE, so duplicates and redeliveries are no-ops.
"""

import datetime
import logging
import random
import re
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ops.errors import ServiceError
from notifications.channels import DeliveryDeferred, DeliveryError, OutgoingMessage, channel_for
from notifications.models import Message, SmsOptOut, WeChatBinding, WeComRobot

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# An 18-character resident ID number (17 digits and a digit or X) standing alone.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


# --- creating messages ---------------------------------------------------------


def text_guard(text: str, *, field: str = "text") -> None:
    """Refuse a text that holds what must never leave in a message (an ID number)."""
    if ID_NUMBER_RE.search(text or ""):
        raise ServiceError(_("消息内容不能包含身份证号码 / a message must not contain an ID number"), field=field)
    if not (text or "").strip():
        raise ServiceError(_("消息内容不能为空 / message text is empty"), field=field)


def phone_normalise(phone: str) -> str:
    """Return a phone number in E.164 (mainland numbers may omit +86); raise ServiceError."""
    try:
        parsed = phonenumbers.parse(phone or "", "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ServiceError(_("手机号码格式不正确 / phone number is not valid"), field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def quiet_hours_until(*, now: datetime.datetime, programme=None) -> datetime.datetime | None:
    """Return when the quiet hours that contain ``now`` end (Asia/Shanghai), or None if not quiet."""
    start, end = (
        (programme.quiet_hours_start, programme.quiet_hours_end) if programme is not None else settings.QUIET_HOURS
    )
    local = now.astimezone(SHANGHAI)
    clock = local.time()
    quiet = (start <= clock < end) if start <= end else (clock >= start or clock < end)
    if not quiet or start == end:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += datetime.timedelta(days=1)
    return until.astimezone(datetime.UTC)


def _template_urgent(template: str) -> bool:
    from notifications.templates import template_get

    try:
        return template_get(template).urgent
    except KeyError:
        return False


@transaction.atomic
def message_create(
    *,
    channel: str,
    recipient: str,
    text: str,
    template: str = "",
    params: dict | None = None,
    user=None,
    programme=None,
    region_id: str | None = None,
    urgent: bool = False,
    idempotency_key: str | None = None,
) -> Message:
    """Put one message in the outbox; it is enqueued after the caller's transaction commits."""
    text_guard(text)
    if idempotency_key:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    now = timezone.now()
    due = now if urgent else (quiet_hours_until(now=now, programme=programme) or now)
    if region_id is None and programme is not None:
        region_id = programme.region_id
    if region_id is None and user is not None:
        region_id = getattr(user, "home_region_id", None)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                recipient=recipient,
                user=user,
                programme=programme,
                region_id=region_id,
                body=text,
                template=template,
                params=params or {},
                urgent=urgent,
                idempotency_key=idempotency_key,
                next_attempt_at=due,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return Message.objects.get(idempotency_key=idempotency_key)
    if due <= now:
        # The fast path; the dispatcher is the safety net if this enqueue is lost.
        from notifications.tasks import message_send_task

        transaction.on_commit(lambda: message_send_task.delay(message.pk))
    return message


def sms_send(
    *,
    phone: str,
    text: str,
    template: str = "",
    params: dict | None = None,
    idempotency_key: str | None = None,
    urgent: bool | None = None,
    user=None,
    programme=None,
    region_id: str | None = None,
) -> Message:
    """Queue a text message to a phone number; it leaves after the caller's transaction commits.

    ``urgent`` defaults to the template's flag; a raw text without a template is taken as
    transactional (a code, a confirmation) and is sent at once. Reminders use templates.
    """
    if urgent is None:
        urgent = _template_urgent(template) if template else True
    return message_create(
        channel=Message.Channel.SMS,
        recipient=phone_normalise(phone),
        text=text,
        template=template,
        params=params,
        user=user,
        programme=programme,
        region_id=region_id,
        urgent=urgent,
        idempotency_key=idempotency_key,
    )


def template_render(template: str, params: dict) -> str:
    """Render a registered template; unknown names and missing parameters are 4xx errors."""
    from notifications.templates import template_get

    try:
        return template_get(template).render(params)
    except KeyError as exc:
        raise ServiceError(
            _("消息模板或参数不存在 / unknown template or missing parameter: %s") % exc, field="template"
        ) from None


def sms_send_template(
    *, phone: str, template: str, params: dict, idempotency_key: str | None = None, **kwargs
) -> Message:
    """Queue a text rendered from a registered template (see notifications.templates)."""
    text = template_render(template, params)
    return sms_send(phone=phone, text=text, template=template, params=params, idempotency_key=idempotency_key, **kwargs)


def message_to_user(
    *,
    user,
    template: str,
    params: dict,
    programme=None,
    region_id: str | None = None,
    idempotency_key: str | None = None,
    urgent: bool | None = None,
) -> Message:
    """Queue a templated message to an account: WeChat if she bound a usable WeChat, else SMS."""
    text = template_render(template, params)
    if urgent is None:
        urgent = _template_urgent(template)
    binding = WeChatBinding.objects.filter(user=user, usable=True).first()
    if binding is not None:
        return message_create(
            channel=Message.Channel.WECHAT,
            recipient=binding.openid,
            text=text,
            template=template,
            params=params,
            user=user,
            programme=programme,
            region_id=region_id,
            urgent=urgent,
            idempotency_key=idempotency_key,
        )
    if not user.phone:
        raise ServiceError(_("该用户既没有手机号也没有绑定微信 / user has no phone and no WeChat"), field="user")
    return sms_send(
        phone=user.phone,
        text=text,
        template=template,
        params=params,
        user=user,
        programme=programme,
        region_id=region_id,
        urgent=urgent,
        idempotency_key=idempotency_key,
    )


def wecom_digest_send(*, robot: WeComRobot, title: str, summary: str, idempotency_key: str | None = None) -> Message:
    """Queue a markdown digest to a region's WeCom volunteer group."""
    params = {"title": title, "summary": summary}
    return message_create(
        channel=Message.Channel.WECOM,
        recipient=f"robot:{robot.pk}",
        text=template_render("notifications.wecom_digest", params),
        template="notifications.wecom_digest",
        params=params,
        region_id=robot.region_id,
        urgent=False,
        idempotency_key=idempotency_key,
    )


# --- sending -----------------------------------------------------------------------


def _backoff(attempts: int) -> datetime.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    seconds = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _finish(message: Message, **fields) -> Message:
    """Write the outcome of an attempt if the row is still ours (status sending); return the row."""
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


def _outgoing(message: Message) -> OutgoingMessage:
    return OutgoingMessage(
        message_id=message.pk,
        to=message.recipient,
        text=message.body,
        template=message.template,
        params=message.params,
        attempt_started_at=message.claimed_at,
    )


def message_deliver(*, message_id: int, now: datetime.datetime | None = None) -> Message | None:
    """Send one due message through its channel, once; return it, or None if someone else has it."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None

    def release(until: datetime.datetime, reason: str) -> Message:
        # Not an attempt: give the count back and wait.
        return _finish(
            message,
            status=Message.Status.PENDING,
            attempts=message.attempts - 1,
            next_attempt_at=until,
            last_error=reason[:500],
        )

    if not message.urgent:
        until = quiet_hours_until(now=now, programme=message.programme if message.programme_id else None)
        if until:
            return release(until, _("免打扰时段，稍后发送 / quiet hours"))
        # People are rate limited; a group robot has its own per-minute throttle (channels/wecom.py).
        until = _rate_limited_until(message, now) if message.channel != Message.Channel.WECOM else None
        if until:
            return release(until, _("超过单个收件人的发送频率限制 / per-recipient rate limit"))
    if message.channel == Message.Channel.SMS:
        opt_out = SmsOptOut.objects.filter(phone=message.recipient, opted_out=True).first()
        if opt_out is not None:
            return _finish(
                message, status=Message.Status.CANCELLED, last_error=opt_out.reason[:500], error_code="opt-out"
            )
    try:
        result = channel_for(message.channel).send(_outgoing(message))
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
        error = _("服务商拒发：该号码已退订（%(code)s）/ the number opted out") % {"code": exc.code}
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


# --- the dispatcher and recovery ---------------------------------------------------


def outbox_dispatch(
    *, now: datetime.datetime | None = None, batch_size: int | None = None, max_batches: int = 100
) -> int:
    """Claim due pending rows (skipping rows others hold), mark them queued, enqueue a send each."""
    from notifications.tasks import message_send_task

    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_DISPATCH_BATCH
    total = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            ids = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(status=Message.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                Message.objects.filter(pk__in=ids).update(status=Message.Status.QUEUED, claimed_at=now)
        # After commit: a crash here leaves rows in queued, which outbox_recover puts back.
        for pk in ids:
            message_send_task.delay(pk)
        total += len(ids)
        if len(ids) < batch_size:
            break
    return total


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
        channel = channel_for(message.channel)
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
                provider_id=found.provider_id[:64],
                segments=found.segments,
                sent_at=message.claimed_at,
                next_attempt_at=None,
                last_error=_("对账：服务商已受理 / reconciled: the provider had accepted it"),
            )
        else:
            resent += same_attempt.update(
                status=Message.Status.PENDING,
                next_attempt_at=now,
                last_error=_("发送中断，服务商无记录，重新发送 / interrupted, not at the provider: resending"),
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
        last_error=_("由 %(who)s 重新发送 / retried") % {"who": getattr(by, "username", "-")},
        error_code="",
    )
    if not updated:
        raise ServiceError(
            _("只有失败或已取消的消息可以重发 / only failed or cancelled messages can be retried"), field="status"
        )
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
        last_error=_("由 %(who)s 取消 / cancelled by staff") % {"who": getattr(by, "username", "-")},
    )
    if not updated:
        raise ServiceError(
            _("只有待发送或已排队的消息可以取消 / only pending or queued messages can be cancelled"), field="status"
        )
    message.refresh_from_db()
    return message


# --- opt-out, status callbacks, inbound SMS ---------------------------------------------


def sms_opt_out(*, phone: str, source: str, keyword: str = "") -> SmsOptOut:
    """Record that a number wants no more SMS."""
    row, _created = SmsOptOut.objects.update_or_create(
        phone=phone,
        defaults={"opted_out": True, "source": source, "keyword": keyword[:20], "changed_at": timezone.now()},
    )
    return row


def sms_opt_in(*, phone: str, keyword: str = "") -> SmsOptOut | None:
    """Re-enable SMS to a number that had opted out."""
    row = SmsOptOut.objects.filter(phone=phone).first()
    if row is None:
        return None
    row.opted_out = False
    row.source = SmsOptOut.Source.KEYWORD
    row.keyword = keyword[:20]
    row.changed_at = timezone.now()
    row.save(update_fields=["opted_out", "source", "keyword", "changed_at"])
    return row


def twilio_status_record(*, provider_id: str, status: str, error_code: str = "", to: str = "") -> Message | None:
    """Record what Twilio's status callback says about a message (delivered, undelivered, failed)."""
    message = Message.objects.filter(provider_id=provider_id, channel=Message.Channel.SMS).first()
    if message is None:
        return None
    fields: dict = {"provider_status": status[:20]}
    if status == "delivered":
        fields.update(status=Message.Status.DELIVERED, delivered_at=timezone.now())
    elif status in ("undelivered", "failed"):
        fields.update(
            status=Message.Status.FAILED,
            error_code=error_code[:20],
            last_error=_("短信未送达（Twilio %(status)s，错误 %(code)s）/ not delivered")
            % {"status": status, "code": error_code or "-"},
        )
        if error_code == "21610":
            sms_opt_out(phone=to or message.recipient, source=SmsOptOut.Source.PROVIDER, keyword=error_code)
    # A late "sent" must not undo "delivered": only move forward from sent.
    Message.objects.filter(pk=message.pk, status__in=[Message.Status.SENT, Message.Status.SENDING]).update(**fields)
    message.refresh_from_db()
    return message


# --- WeChat binding -------------------------------------------------------------------

WECHAT_BIND_SALT = "notifications.wechat-bind"
WECHAT_BIND_MAX_AGE = 7 * 24 * 3600


def wechat_bind_link(*, user) -> str:
    """Return the link a volunteer opens in WeChat to bind her account (valid 7 days)."""
    from django.core import signing

    token = signing.dumps({"u": user.pk}, salt=WECHAT_BIND_SALT)
    return f"{settings.PUBLIC_BASE_URL}/webhooks/wechat/bind/?t={token}"


def wechat_bind_user(*, token: str):
    """Return the active user a binding token names, or None if it is forged or expired."""
    from django.contrib.auth import get_user_model
    from django.core import signing

    try:
        data = signing.loads(token, salt=WECHAT_BIND_SALT, max_age=WECHAT_BIND_MAX_AGE)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


@transaction.atomic
def wechat_binding_save(*, user, code: str) -> WeChatBinding:
    """Exchange a WeChat OAuth code for the openid and bind it to the user (replacing an old binding)."""
    from notifications.channels.wechat import oauth_openid

    openid = oauth_openid(code)
    other = WeChatBinding.objects.filter(openid=openid).exclude(user=user).first()
    if other is not None:
        raise ServiceError(_("该微信已绑定其他账户 / this WeChat is bound to another account"), field="openid")
    binding, _created = WeChatBinding.objects.update_or_create(
        user=user, defaults={"openid": openid, "usable": True, "unusable_reason": ""}
    )
    return binding
