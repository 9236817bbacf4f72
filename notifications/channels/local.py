from notifications.channels.base import OutgoingMessage, SendResult
from notifications.channels.segments import sms_segments


class LocalChannel:
    """Deliver into the local outbox table (shown in the admin); the default in `make run`."""

    name = "local"

    def send(self, message: OutgoingMessage) -> SendResult:
        from notifications.models import LocalDelivery

        delivery = LocalDelivery.objects.create(message_id=message.message_id, to=message.to, text=message.text)
        return SendResult(provider_id=f"local-{delivery.pk}", segments=sms_segments(message.text))

    def reconcile(self, message: OutgoingMessage) -> SendResult | None:
        from notifications.models import LocalDelivery

        delivery = LocalDelivery.objects.filter(message_id=message.message_id).order_by("pk").first()
        if delivery is None:
            return None
        return SendResult(provider_id=f"local-{delivery.pk}", segments=sms_segments(message.text))
