"""Delivery channels, one module each; ``channel_for`` picks the one a message uses."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import Channel, DeliveryDeferred, DeliveryError, OutgoingMessage, SendResult

__all__ = ["Channel", "DeliveryDeferred", "DeliveryError", "OutgoingMessage", "SendResult", "channel_for"]


def channel_for(kind: str, recipient: str = "", provider: str = "") -> Channel:
    """Return the channel that carries messages of a kind ("sms", "wechat", "wecom") to ``recipient``.

    ``provider`` names the SMS channel outright (the one an earlier attempt used, for reconciliation).
    """
    if kind == "sms":
        from notifications.channels.routing import sms_route

        name = provider or sms_route(recipient)
    elif kind == "wechat":
        name = settings.WECHAT_CHANNEL
    elif kind == "wecom":
        name = settings.WECOM_CHANNEL
    else:
        name = kind
    if name == "local":
        from notifications.channels.local import LocalChannel

        return LocalChannel()
    if name == "twilio":
        from notifications.channels.sms import TwilioSmsChannel

        return TwilioSmsChannel()
    if name == "aliyun":
        from notifications.channels.aliyun import AliyunSmsChannel

        return AliyunSmsChannel()
    if name == "tencent":
        from notifications.channels.tencent import TencentSmsChannel

        return TencentSmsChannel()
    if name == "wechat":
        from notifications.channels.wechat import WeChatTemplateChannel

        return WeChatTemplateChannel()
    if name == "wecom":
        from notifications.channels.wecom import WeComRobotChannel

        return WeComRobotChannel()
    raise ImproperlyConfigured(
        f"unknown channel {name!r} for {kind!r}: check SMS_CHANNEL / WECHAT_CHANNEL / WECOM_CHANNEL"
    )
