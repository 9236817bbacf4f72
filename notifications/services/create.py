"""Put messages in the outbox, in the caller's transaction."""

import datetime
import logging
import re
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ops.errors import ServiceError
from notifications.channels.segments import sms_segments
from notifications.models import Message, WeChatBinding, WeComRobot
from notifications.services.secrets import message_secrets_seal

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# An 18-character resident ID number (17 digits and a digit or X) standing alone.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


# --- creating messages ---------------------------------------------------------


def text_guard(text: str, *, field: str = "text") -> None:
    """Refuse a text that holds what must never leave in a message (an ID number)."""
    if ID_NUMBER_RE.search(text or ""):
        raise ServiceError(_("消息内容不能包含身份证号码"), field=field)
    if not (text or "").strip():
        raise ServiceError(_("消息内容不能为空"), field=field)


def phone_normalise(phone: str) -> str:
    """Return a phone number in E.164 (mainland numbers may omit +86); raise ServiceError."""
    try:
        parsed = phonenumbers.parse(phone or "", "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ServiceError(_("手机号码格式不正确"), field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _quiet_until(start: datetime.time, end: datetime.time, local: datetime.datetime) -> datetime.datetime | None:
    clock = local.time()
    quiet = (start <= clock < end) if start <= end else (clock >= start or clock < end)
    if not quiet or start == end:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += datetime.timedelta(days=1)
    return until


def quiet_hours_until(
    *, now: datetime.datetime, programme=None, user=None, own: tuple | None = None
) -> datetime.datetime | None:
    """Return when the quiet hours that contain ``now`` end (Asia/Shanghai), or None if not quiet.

    The programme's quiet hours (or the platform's) apply to everyone; a person may add her
    own (``DeliveryPreference``; ``user`` is an account or its id, or ``own`` her (start, end)
    already read, as a batch reads them for all its recipients at once), and a message waits
    while either applies.
    """
    windows = [
        (programme.quiet_hours_start, programme.quiet_hours_end) if programme is not None else settings.QUIET_HOURS
    ]
    if user is not None and own is None:
        from notifications.models import DeliveryPreference

        own = (
            DeliveryPreference.objects.filter(user_id=getattr(user, "pk", user))
            .values_list("quiet_hours_start", "quiet_hours_end")
            .first()
        )
    if own and own[0] is not None and own[1] is not None:
        windows.append(own)
    local = now.astimezone(SHANGHAI)
    latest = None
    # Chained windows (hers ends when the programme's begins): wait until both are over.
    for _round in range(len(windows)):
        ends = [u for u in (_quiet_until(start, end, local) for start, end in windows) if u is not None]
        if not ends:
            break
        local = max(ends)
        latest = local
    return latest.astimezone(datetime.UTC) if latest is not None else None


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
    params, text = message_secrets_seal(template=template, params=params or {}, text=text)
    if idempotency_key:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    now = timezone.now()
    due = now if urgent else (quiet_hours_until(now=now, programme=programme, user=user) or now)
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
    if sms_segments(text) > settings.SMS_MAX_SEGMENTS:
        raise ServiceError(
            _("短信过长：最多%(n)d条（中文每条67字）") % {"n": settings.SMS_MAX_SEGMENTS},
            field="text",
        )
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
        raise ServiceError(_("消息模板或参数不存在：%s") % exc, field="template") from None


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
    """Queue a templated message to an account: WeChat if she bound it and prefers it, else SMS."""
    text = template_render(template, params)
    if urgent is None:
        urgent = _template_urgent(template)
    binding = WeChatBinding.objects.filter(user=user, usable=True, prefer_wechat=True).first()
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
        raise ServiceError(_("该用户既没有手机号也没有绑定微信"), field="user")
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
