"""What recipients and providers tell us: opt-outs, delivery status, WeChat bindings."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ops.errors import ServiceError
from notifications.models import DeliveryPreference, Message, SmsOptOut, WebhookReceipt, WeChatBinding

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


def webhook_first_seen(*, key: str) -> bool:
    """Remember a provider callback by what it says; False when it was seen before (a replay).

    Call it in the transaction that acts on the callback, so a callback that fails half-way
    is not remembered and its provider's retry is still acted on.
    """
    _row, created = WebhookReceipt.objects.get_or_create(key=key[:200])
    return created


@transaction.atomic
def twilio_status_record(*, provider_id: str, status: str, error_code: str = "", to: str = "") -> Message | None:
    """Record what Twilio's status callback says about a message (delivered, undelivered, failed)."""
    if not webhook_first_seen(key=f"twilio:status:{provider_id}:{status}:{error_code}"):
        return None  # a replay: it was acted on once
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
            last_error=_("短信未送达（Twilio %(status)s，错误 %(code)s）")
            % {"status": status, "code": error_code or "-"},
        )
        if error_code == "21610":
            sms_opt_out(phone=to or message.recipient, source=SmsOptOut.Source.PROVIDER, keyword=error_code)
    # A late "sent" must not undo "delivered": only move forward from sent.
    Message.objects.filter(pk=message.pk, status__in=[Message.Status.SENT, Message.Status.SENDING]).update(**fields)
    message.refresh_from_db()
    return message


@transaction.atomic
def sms_receipt_record(
    *, provider: str, provider_ids: list[str], phone: str, delivered: bool, code: str = "", key: str
) -> Message | None:
    """Record a domestic provider's delivery receipt for a message we sent to ``phone``; replays change nothing."""
    message = (
        Message.objects.filter(
            channel=Message.Channel.SMS,
            provider=provider,
            provider_id__in=[p for p in provider_ids if p],
            recipient=phone,
        )
        .order_by("-pk")
        .first()
    )
    if message is None:
        return None  # not a message we sent: nothing to change, nothing to remember
    if not webhook_first_seen(key=key):
        return None
    fields: dict = {"provider_status": (code or ("DELIVERED" if delivered else "FAILED"))[:20]}
    if delivered:
        fields.update(status=Message.Status.DELIVERED, delivered_at=timezone.now())
    else:
        fields.update(
            status=Message.Status.FAILED,
            error_code=code[:20],
            last_error=_("短信未送达（%(provider)s 回执 %(code)s）") % {"provider": provider, "code": code or "-"},
        )
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
        raise ServiceError(_("该微信已绑定其他账户"), field="openid")
    binding, _created = WeChatBinding.objects.update_or_create(
        user=user, defaults={"openid": openid, "usable": True, "unusable_reason": ""}
    )
    return binding


@transaction.atomic
def delivery_preference_set(
    *, user, channel: str, quiet_hours_start: datetime.time | None, quiet_hours_end: datetime.time | None
) -> DeliveryPreference:
    """Save how a person wants her reminders: by SMS or WeChat, and her own quiet hours (both or neither)."""
    if channel not in ("sms", "wechat"):
        raise ServiceError(_("请选择短信或微信"), field="channel")
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise ServiceError(_("请同时填写免打扰的开始和结束时间"), field="quiet_hours_end")
    if quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        raise ServiceError(_("免打扰的开始和结束时间不能相同"), field="quiet_hours_end")
    binding = WeChatBinding.objects.select_for_update().filter(user=user).first()
    if channel == "wechat" and (binding is None or not binding.usable):
        raise ServiceError(_("请先绑定微信，才能通过微信接收提醒"), field="channel")
    if binding is not None and binding.prefer_wechat != (channel == "wechat"):
        binding.prefer_wechat = channel == "wechat"
        binding.save(update_fields=["prefer_wechat", "updated_at"])
    preference, _created = DeliveryPreference.objects.update_or_create(
        user=user, defaults={"quiet_hours_start": quiet_hours_start, "quiet_hours_end": quiet_hours_end}
    )
    return preference
