"""Reads of the delivery app, scoped to what the user may see."""

import datetime

from django.db.models import Q, QuerySet

from backend.accounts.selectors import user_region_scope
from notifications.models import Message


def user_sees_outbox(user) -> bool:
    """Superusers and federation staff may look at the outbox."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.role == "staff"))
    )


def message_list(
    *,
    user,
    status: str | None = None,
    channel: str | None = None,
    template: str | None = None,
    recipient: str | None = None,
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
) -> QuerySet[Message]:
    """Return the outbox rows a user may see: superusers all; staff those of their region and below.

    A message without a region (a code to an applicant) is seen by superusers only.
    """
    if not user_sees_outbox(user):
        return Message.objects.none()
    qs = Message.objects.filter(user_region_scope(user).q("region_id"))
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if template:
        qs = qs.filter(template=template)
    if recipient:
        qs = qs.filter(Q(recipient=recipient) | Q(recipient__endswith=recipient))
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    return qs.order_by("-created_at", "-pk")


def delivery_settings_of(*, user) -> dict:
    """Return how a person gets her reminders: channel, WeChat binding, her own quiet hours."""
    from django.conf import settings

    from notifications.models import DeliveryPreference, WeChatBinding

    binding = WeChatBinding.objects.filter(user=user).first()
    preference = DeliveryPreference.objects.filter(user=user).first()
    return {
        "channel": "wechat" if binding is not None and binding.usable and binding.prefer_wechat else "sms",
        "wechat_bound": binding is not None and binding.usable,
        "wechat_configured": bool(settings.WECHAT_APP_ID),
        "quiet_hours_start": preference.quiet_hours_start if preference else None,
        "quiet_hours_end": preference.quiet_hours_end if preference else None,
    }
