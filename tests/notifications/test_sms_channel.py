"""The Twilio channel: the real twilio client against a local fake (errors) and Prism (schema)."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Message, SmsOptOut
from notifications.services import message_deliver, outbox_recover, sms_send, sms_send_template

pytestmark = pytest.mark.django_db


def test_a_message_goes_to_twilio_with_status_callback_and_records_sid_and_segments(fake_twilio):
    message = sms_send(phone="+8613800000001", text="好" * 100)
    result = message_deliver(message_id=message.pk)
    assert result.status == Message.Status.SENT
    assert result.provider_id.startswith("SM")
    assert result.provider_id == fake_twilio.created[0]["sid"]
    request = fake_twilio.requests[0]
    assert request["To"] == "+8613800000001"
    assert request["From"] == "+15005550006"
    assert request["Body"] == "好" * 100
    assert request["StatusCallback"] == "http://127.0.0.1:8000/webhooks/twilio/status/"
    assert result.segments == 1  # the fake reports num_segments=1 like Twilio; Twilio's figure wins


def test_a_messaging_service_is_used_when_configured(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    message_deliver(message_id=sms_send(phone="+8613800000001", text="您好").pk)
    assert fake_twilio.requests[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in fake_twilio.requests[0]


def test_error_21610_marks_the_number_opted_out_and_later_messages_are_not_sent(fake_twilio):
    fake_twilio.script["+8613800000002"] = ["21610"]
    first = message_deliver(message_id=sms_send(phone="+8613800000002", text="第一条").pk)
    assert first.status == Message.Status.FAILED
    assert first.error_code == "21610"
    assert "退订" in first.last_error
    assert SmsOptOut.objects.get(phone="+8613800000002").source == SmsOptOut.Source.PROVIDER
    # when: another message to the same number
    second = message_deliver(message_id=sms_send(phone="+8613800000002", text="第二条").pk)
    # then: it never reaches Twilio and staff can read why
    assert second.status == Message.Status.CANCELLED
    assert "该号码已退订短信" in second.last_error
    assert len(fake_twilio.requests) == 1


@pytest.mark.parametrize("answer, code", [("429", "20429"), ("500", "500"), ("timeout", "")])
def test_transient_errors_leave_the_row_pending_with_exponential_backoff(fake_twilio, settings, answer, code):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    fake_twilio.script["+8613800000003"] = [answer, answer]
    message = sms_send(phone="+8613800000003", text="稍后重试")
    first = message_deliver(message_id=message.pk)
    assert first.status == Message.Status.PENDING
    assert first.error_code == code
    delay1 = first.next_attempt_at - first.claimed_at
    assert datetime.timedelta(seconds=48) <= delay1 <= datetime.timedelta(seconds=72)
    second = message_deliver(message_id=message.pk, now=first.next_attempt_at)
    delay2 = second.next_attempt_at - second.claimed_at
    assert datetime.timedelta(seconds=96) <= delay2 <= datetime.timedelta(seconds=144)
    third = message_deliver(message_id=message.pk, now=second.next_attempt_at)
    assert third.status == Message.Status.SENT
    assert third.attempts == 3


def test_a_transient_error_on_the_last_attempt_fails_for_good(fake_twilio, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    fake_twilio.script["+8613800000004"] = ["500"]
    result = message_deliver(message_id=sms_send(phone="+8613800000004", text="x").pk)
    assert result.status == Message.Status.FAILED


def test_a_permanent_error_is_not_retried(fake_twilio):
    fake_twilio.script["+8613800000005"] = ["400:21211"]  # invalid 'To' number
    result = message_deliver(message_id=sms_send(phone="+8613800000005", text="x").pk)
    assert result.status == Message.Status.FAILED
    assert result.error_code == "21211"
    assert message_deliver(message_id=result.pk, now=timezone.now() + datetime.timedelta(days=1)) is None
    assert len(fake_twilio.requests) == 1


def test_a_row_stuck_in_sending_is_reconciled_with_twilios_message_list(fake_twilio):
    # given: Twilio accepted the message, but the worker died before recording it
    message = sms_send_template(phone="+8613800000006", template="notifications.otp", params={"code": "777111"})
    claimed = timezone.now()
    from notifications.channels.sms import TwilioSmsChannel
    from notifications.services.send import _outgoing

    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, attempts=1, claimed_at=claimed)
    message.refresh_from_db()
    TwilioSmsChannel().send(_outgoing(message))
    # when: recovery runs later
    result = outbox_recover(now=claimed + datetime.timedelta(hours=1))
    # then: found in the list by To and DateSent, marked sent, not sent twice
    assert result["reconciled"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_id == fake_twilio.created[0]["sid"]
    assert len(fake_twilio.created) == 1
    listed = fake_twilio.list_requests[0]
    assert listed["To"] == "+8613800000006"
    assert listed["DateSent>"].startswith(claimed.astimezone(datetime.UTC).date().isoformat())


def test_a_row_stuck_in_sending_that_twilio_never_saw_is_sent_again(fake_twilio):
    message = sms_send(phone="+8613800000007", text="没发出去")
    claimed = timezone.now()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, attempts=1, claimed_at=claimed)
    later = claimed + datetime.timedelta(hours=1)
    assert outbox_recover(now=later)["resent"] == 1
    assert message_deliver(message_id=message.pk, now=later).status == Message.Status.SENT
    assert fake_twilio.count_for("没发出去") == 1


@pytest.mark.prism
def test_the_request_we_send_matches_twilios_published_schema(prism_twilio):
    # Prism validates the request against twilio_api_v2010.json and answers 201 only if it matches.
    result = message_deliver(message_id=sms_send(phone="+8613800000008", text="【爱心妈妈】验证码 123456").pk)
    assert result.status == Message.Status.SENT, result.last_error
    assert result.provider_id.startswith("SM")


@pytest.mark.prism
def test_prism_rejects_a_request_twilio_would_reject(prism_twilio):
    from notifications.channels.sms import TWILIO_ORIGIN, twilio_client

    # The spec requires To: a request without it is refused, so the mock does check requests.
    client = twilio_client()
    response = client.request(
        "POST",
        f"{TWILIO_ORIGIN}/2010-04-01/Accounts/{'AC' + '0' * 32}/Messages.json",
        data={"Body": "x", "From": "+15005550006"},
    )
    assert 400 <= response.status_code < 500
    good = client.request(
        "POST",
        f"{TWILIO_ORIGIN}/2010-04-01/Accounts/{'AC' + '0' * 32}/Messages.json",
        data={"To": "+8613800000001", "Body": "x", "From": "+15005550006"},
    )
    assert good.status_code == 201


@pytest.mark.prism
def test_reconciliation_list_request_matches_twilios_schema(prism_twilio):
    from notifications.channels.base import OutgoingMessage
    from notifications.channels.sms import TwilioSmsChannel

    found = TwilioSmsChannel().reconcile(
        OutgoingMessage(message_id=1, to="+8613800000009", text="不在列表里的内容", attempt_started_at=timezone.now())
    )
    assert found is None


def test_a_twilio_batch_sends_each_once_on_one_session_and_records_each_sid(fake_twilio, settings):
    from notifications.services.batch import sms_batch_send

    settings.OUTBOX_SEND_BATCH = 10
    sent = [sms_send(phone=f"+861380000010{i}", text=f"批量第{i}条") for i in range(4)]
    fake_twilio.script["+8613800000102"] = ["400:21211"]  # one bad number fails alone
    assert sms_batch_send(provider="twilio") == 3
    rows = {m.pk: m for m in Message.objects.filter(pk__in=[m.pk for m in sent])}
    assert [rows[m.pk].status for m in sent] == ["sent", "sent", "failed", "sent"]
    assert {rows[m.pk].provider_id for m in sent if rows[m.pk].status == "sent"} == {
        c["sid"] for c in fake_twilio.created
    }
    assert rows[sent[2].pk].provider_id == ""  # the batch's tag belongs to that attempt only
    assert all(fake_twilio.count_for(f"批量第{i}条") == (0 if i == 2 else 1) for i in range(4))


def test_a_slow_twilio_batch_stops_at_its_time_budget_and_gives_the_rest_back_uncounted(fake_twilio, settings):
    from notifications.services.batch import sms_batch_send

    settings.OUTBOX_SEND_BATCH = 10
    settings.OUTBOX_SENDING_STUCK_SECONDS = 2  # a budget of 0.2 s for one batch
    fake_twilio.delay = 0.15
    sent = [sms_send(phone=f"+861380000020{i}", text=f"慢批第{i}条") for i in range(5)]
    accepted = sms_batch_send(provider="twilio")
    assert 1 <= accepted < 5
    rest = Message.objects.filter(pk__in=[m.pk for m in sent], status=Message.Status.PENDING)
    assert rest.count() == 5 - accepted
    # not an attempt that failed: due again at once, no attempt counted, no batch tag left behind
    assert {(m.attempts, m.provider_id) for m in rest} == {(0, "")}
    assert all(m.next_attempt_at <= timezone.now() for m in rest)
    assert "下一批" in rest.first().last_error
    settings.OUTBOX_SENDING_STUCK_SECONDS = 900
    assert sms_batch_send(provider="twilio") == 5 - accepted  # the next batch takes them
    assert len(fake_twilio.created) == 5
