from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications.channels import DeliveryError, OutgoingMessage, channel_for
from notifications.models import Message


@transaction.atomic
def sms_send(
    *, phone: str, text: str, template: str = "", params: dict | None = None, idempotency_key: str | None = None
) -> Message:
    """Queue a text message to a phone number; it leaves after the caller's transaction commits."""
    if idempotency_key:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=Message.Channel.SMS,
                recipient=phone,
                body=text,
                template=template,
                params=params or {},
                idempotency_key=idempotency_key,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return Message.objects.get(idempotency_key=idempotency_key)
    from notifications.tasks import message_send_task

    transaction.on_commit(lambda: message_send_task.delay(message.pk))
    return message


def sms_send_template(*, phone: str, template: str, params: dict, idempotency_key: str | None = None) -> Message:
    """Queue a text rendered from a registered template (see notifications.templates)."""
    from notifications.templates import template_get

    text = template_get(template).render(params)
    return sms_send(phone=phone, text=text, template=template, params=params, idempotency_key=idempotency_key)


def message_deliver(*, message_id: int) -> Message | None:
    """Send one pending message through its channel, once; return it, or None if someone else has it."""
    claimed = Message.objects.filter(pk=message_id, status__in=[Message.Status.PENDING, Message.Status.QUEUED]).update(
        status=Message.Status.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    channel = channel_for(message.channel)
    try:
        result = channel.send(
            OutgoingMessage(
                message_id=message.pk,
                to=message.recipient,
                text=message.body,
                template=message.template,
                params=message.params,
            )
        )
    except DeliveryError as exc:
        message.status = Message.Status.FAILED if exc.permanent else Message.Status.PENDING
        message.last_error = str(exc)[:500]
        message.save(update_fields=["status", "last_error"])
        return message
    message.status = Message.Status.SENT
    message.provider_id = result.provider_id
    message.segments = result.segments
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "provider_id", "segments", "sent_at"])
    return message
