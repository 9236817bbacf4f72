"""Delivery channels, one module each; ``channel_for`` picks the one a message uses."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import Channel, DeliveryError, OutgoingMessage, SendResult

__all__ = ["Channel", "DeliveryError", "OutgoingMessage", "SendResult", "channel_for"]


def channel_for(kind: str) -> Channel:
    """Return the channel that carries messages of a kind ("sms", ...)."""
    if kind == "sms":
        name = settings.SMS_CHANNEL
    else:
        name = kind
    if name == "local":
        from notifications.channels.local import LocalChannel

        return LocalChannel()
    raise ImproperlyConfigured(f"unknown channel {name!r}: check SMS_CHANNEL")
