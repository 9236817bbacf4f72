import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from backend.ops.errors import ServiceError
from notifications.models import LocalDelivery, Message
from notifications.services import (
    message_cancel,
    message_deliver,
    message_retry,
    outbox_dispatch,
    outbox_recover,
    sms_send,
    sms_send_template,
)
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    from notifications import tasks

    ids: list[int] = []
    monkeypatch.setattr(tasks.message_send_task, "delay", lambda pk: ids.append(pk))
    return ids


def test_text_with_an_id_number_is_refused_and_nothing_is_written():
    with pytest.raises(ServiceError) as exc:
        sms_send(phone="+8613800000001", text="孩子身份证 140521201001011234 请核对")
    assert exc.value.field == "text"
    assert Message.objects.count() == 0


def test_bad_phone_number_is_a_field_error():
    with pytest.raises(ServiceError) as exc:
        sms_send(phone="12", text="您好")
    assert exc.value.field == "phone"


def test_unknown_template_is_a_field_error():
    with pytest.raises(ServiceError) as exc:
        sms_send_template(phone="+8613800000001", template="no.such", params={})
    assert exc.value.field == "template"


def test_mainland_number_without_country_code_is_stored_in_e164():
    message = sms_send(phone="13800000001", text="您好")
    assert message.recipient == "+8613800000001"


@time_machine.travel(datetime.datetime(2026, 11, 23, 22, 30, tzinfo=SHANGHAI), tick=False)
def test_a_reminder_created_in_quiet_hours_waits_until_eight_and_a_code_does_not(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        reminder = sms_send_template(
            phone="+8613800000001",
            template="notifications.reminder",
            params={"volunteer": "王丽", "task": "给孩子打电话", "due": "周五"},
        )
        code = sms_send_template(phone="+8613800000001", template="notifications.otp", params={"code": "123456"})
    assert reminder.next_attempt_at == datetime.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    assert code.next_attempt_at == timezone.now()
    assert len(callbacks) == 1  # only the code goes to the broker now


def test_quiet_hours_of_the_programme_apply_at_send_time(programme):
    programme.quiet_hours_start = datetime.time(12, 0)
    programme.quiet_hours_end = datetime.time(14, 0)
    programme.save()
    message = MessageFactory(urgent=False, programme=programme)
    with time_machine.travel(datetime.datetime(2026, 11, 23, 13, 0, tzinfo=SHANGHAI), tick=False):
        MessageFactory._meta.model.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        result = message_deliver(message_id=message.pk)
    assert result.status == Message.Status.PENDING
    assert result.attempts == 0
    assert result.next_attempt_at == datetime.datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    assert LocalDelivery.objects.count() == 0
    with time_machine.travel(datetime.datetime(2026, 11, 23, 14, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert message_deliver(message_id=message.pk).status == Message.Status.SENT


@time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_per_recipient_rate_limit_defers_the_sixth_reminder_in_an_hour(settings):
    settings.OUTBOX_RATE_LIMIT = (5, 3600)
    messages = [MessageFactory(recipient="+8613800000009", urgent=False) for _ in range(6)]
    results = [message_deliver(message_id=m.pk) for m in messages]
    assert [r.status for r in results[:5]] == [Message.Status.SENT] * 5
    assert results[5].status == Message.Status.PENDING
    assert results[5].next_attempt_at == timezone.now() + datetime.timedelta(hours=1)
    assert "频率" in results[5].last_error


def test_dispatcher_claims_only_due_pending_rows_and_enqueues_each_once(enqueued):
    now = timezone.now()
    due = [MessageFactory(next_attempt_at=now - datetime.timedelta(seconds=i)) for i in range(3)]
    MessageFactory(next_attempt_at=now + datetime.timedelta(hours=1))
    MessageFactory(status=Message.Status.SENT, next_attempt_at=None)
    # when
    count = outbox_dispatch(now=now, batch_size=2)
    # then: two batches, every due row once, marked queued
    assert count == 3
    assert sorted(enqueued) == sorted(m.pk for m in due)
    assert set(Message.objects.filter(pk__in=enqueued).values_list("status", flat=True)) == {Message.Status.QUEUED}
    assert outbox_dispatch(now=now) == 0


@pytest.mark.django_db(transaction=True)
def test_dispatcher_skips_rows_another_dispatcher_holds(enqueued):
    held, free = MessageFactory(), MessageFactory()
    locked, done = threading.Event(), threading.Event()

    def other_dispatcher():
        with transaction.atomic():
            list(Message.objects.select_for_update().filter(pk=held.pk))
            locked.set()
            done.wait(10)
        connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    locked.wait(10)
    try:
        assert outbox_dispatch() == 1
    finally:
        done.set()
        thread.join()
    assert enqueued == [free.pk]
    assert Message.objects.get(pk=held.pk).status == Message.Status.PENDING


def test_a_send_task_for_a_row_someone_else_claimed_does_nothing():
    message = MessageFactory(status=Message.Status.QUEUED)
    assert message_deliver(message_id=message.pk).status == Message.Status.SENT
    assert message_deliver(message_id=message.pk) is None
    assert LocalDelivery.objects.filter(message=message).count() == 1


def test_a_send_task_for_a_row_not_yet_due_does_nothing():
    message = MessageFactory(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    assert message_deliver(message_id=message.pk) is None
    assert Message.objects.get(pk=message.pk).status == Message.Status.PENDING


def test_rows_stuck_in_queued_go_back_to_pending():
    now = timezone.now()
    stuck = MessageFactory(status=Message.Status.QUEUED, claimed_at=now - datetime.timedelta(hours=1))
    fresh = MessageFactory(status=Message.Status.QUEUED, claimed_at=now)
    assert outbox_recover(now=now)["requeued"] == 1
    assert Message.objects.get(pk=stuck.pk).status == Message.Status.PENDING
    assert Message.objects.get(pk=fresh.pk).status == Message.Status.QUEUED


def test_a_row_stuck_in_sending_is_reconciled_not_resent_when_it_went_out():
    now = timezone.now()
    went_out = MessageFactory(status=Message.Status.SENDING, attempts=1, claimed_at=now - datetime.timedelta(hours=1))
    LocalDelivery.objects.create(message=went_out, to=went_out.recipient, text=went_out.body)
    lost = MessageFactory(status=Message.Status.SENDING, attempts=1, claimed_at=now - datetime.timedelta(hours=1))
    # when
    result = outbox_recover(now=now)
    # then
    assert result == {"requeued": 0, "reconciled": 1, "resent": 1}
    went_out.refresh_from_db()
    lost.refresh_from_db()
    assert went_out.status == Message.Status.SENT and went_out.provider_id.startswith("local-")
    assert lost.status == Message.Status.PENDING
    message_deliver(message_id=lost.pk)
    assert LocalDelivery.objects.filter(message=went_out).count() == 1
    assert LocalDelivery.objects.filter(message=lost).count() == 1


def test_staff_retry_a_failed_message_and_cancel_a_pending_one(django_capture_on_commit_callbacks):
    failed = MessageFactory(status=Message.Status.FAILED, last_error="x")
    pending = MessageFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        assert message_retry(message=failed).status == Message.Status.PENDING
    assert len(callbacks) == 1
    assert message_cancel(message=pending).status == Message.Status.CANCELLED
    with pytest.raises(ServiceError):
        message_cancel(message=Message.objects.get(pk=pending.pk))
    with pytest.raises(ServiceError):
        message_retry(message=MessageFactory(status=Message.Status.SENT))


def test_an_sms_longer_than_five_segments_is_refused(settings):
    settings.SMS_MAX_SEGMENTS = 5
    sms_send(phone="+8613800000001", text="好" * 335)  # 5 segments of 67
    with pytest.raises(ServiceError) as exc:
        sms_send(phone="+8613800000001", text="好" * 336)
    assert exc.value.field == "text"
