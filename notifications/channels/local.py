from notifications.channels.base import OutgoingMessage, SendResult


class LocalChannel:
    """Deliver into the local outbox table (shown in the admin); the default in `make run`."""

    name = "local"

    def send(self, message: OutgoingMessage) -> SendResult:
        from notifications.models import LocalDelivery

        delivery = LocalDelivery.objects.create(message_id=message.message_id, to=message.to, text=message.text)
        return SendResult(provider_id=f"local-{delivery.pk}", segments=1)
