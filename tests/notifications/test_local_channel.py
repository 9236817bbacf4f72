import pytest
from django.db import transaction

from notifications.models import LocalDelivery, Message
from notifications.services import message_deliver, sms_send

pytestmark = pytest.mark.django_db


def test_sms_send_creates_one_pending_message_per_idempotency_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = sms_send(phone="+8613800000001", text="您好", idempotency_key="otp:1")
        second = sms_send(phone="+8613800000001", text="您好", idempotency_key="otp:1")
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert first.status == Message.Status.PENDING
    assert len(callbacks) == 1  # one enqueue, after commit


def test_nothing_is_enqueued_when_the_callers_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                sms_send(phone="+8613800000001", text="您好")
                raise RuntimeError("caller failed")
        except RuntimeError:
            pass
    assert Message.objects.count() == 0
    assert callbacks == []


def test_local_channel_stores_the_text_and_a_second_delivery_is_a_no_op():
    message = sms_send(phone="+8613800000002", text="验证码 123456")
    delivered = message_deliver(message_id=message.pk)
    assert delivered.status == Message.Status.SENT
    assert delivered.provider_id.startswith("local-")
    assert message_deliver(message_id=message.pk) is None
    assert list(LocalDelivery.objects.values_list("to", "text")) == [("+8613800000002", "验证码 123456")]
