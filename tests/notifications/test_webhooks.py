"""Twilio webhooks: status callbacks and inbound SMS, signed exactly as Twilio signs them."""

import pytest

from notifications.inbound import _handlers, inbound_handler_register
from notifications.models import Message, SmsOptOut
from notifications.services import message_deliver, sms_send
from tests.notifications.conftest import AUTH_TOKEN, twilio_settings
from tests.notifications.factories import MessageFactory
from tests.notifications.standins.twilio_fake import twilio_signature

pytestmark = pytest.mark.django_db
STATUS = "/webhooks/twilio/status/"
INBOUND = "/webhooks/twilio/inbound/"


@pytest.fixture(autouse=True)
def _twilio(settings):
    twilio_settings(settings, "http://127.0.0.1:9")
    settings.PUBLIC_BASE_URL = "https://aixin.example.org"


def signed_post(client, path: str, params: dict, *, token: str = AUTH_TOKEN):
    signature = twilio_signature(url="https://aixin.example.org" + path, params=params, auth_token=token)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_delivered_callback_marks_the_message_delivered(client):
    message = MessageFactory(status=Message.Status.SENT, provider_id="SM" + "a" * 32)
    response = signed_post(client, STATUS, {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"})
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.delivered_at is not None


def test_an_undelivered_callback_records_the_error_for_staff(client):
    message = MessageFactory(status=Message.Status.SENT, provider_id="SM" + "b" * 32)
    signed_post(client, STATUS, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"})
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error_code == "30003"
    assert "30003" in message.last_error


def test_a_callback_with_21610_opts_the_number_out(client):
    MessageFactory(status=Message.Status.SENT, provider_id="SM" + "c" * 32, recipient="+8613800000011")
    signed_post(
        client,
        STATUS,
        {"MessageSid": "SM" + "c" * 32, "MessageStatus": "failed", "ErrorCode": "21610", "To": "+8613800000011"},
    )
    assert SmsOptOut.objects.get(phone="+8613800000011").opted_out


def test_a_late_sent_callback_does_not_undo_delivered(client):
    message = MessageFactory(status=Message.Status.DELIVERED, provider_id="SM" + "d" * 32)
    signed_post(client, STATUS, {"MessageSid": "SM" + "d" * 32, "MessageStatus": "sent"})
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


@pytest.mark.parametrize("signature", [None, "forged", "wrong-token"])
def test_forged_or_unsigned_callbacks_are_refused(client, signature):
    message = MessageFactory(status=Message.Status.SENT, provider_id="SM" + "e" * 32)
    params = {"MessageSid": "SM" + "e" * 32, "MessageStatus": "delivered"}
    if signature is None:
        response = client.post(STATUS, params)
    elif signature == "wrong-token":
        response = signed_post(client, STATUS, params, token="not-our-token")
    else:
        response = client.post(STATUS, params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_signature_over_other_parameters_is_refused(client):
    signature = twilio_signature(
        url="https://aixin.example.org" + STATUS,
        params={"MessageSid": "SMx", "MessageStatus": "failed"},
        auth_token=AUTH_TOKEN,
    )
    response = client.post(
        STATUS, {"MessageSid": "SMx", "MessageStatus": "delivered"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD", "td"]
)
def test_stop_words_opt_the_number_out(client, word):
    response = signed_post(client, INBOUND, {"From": "+8613800000012", "Body": f" {word} ", "MessageSid": "SMi"})
    assert response.status_code == 200
    assert SmsOptOut.objects.get(phone="+8613800000012").opted_out
    if word in ("退订", "TD", "td"):
        assert "退订" in response.content.decode()  # Twilio does not answer Chinese stop words: we do


def test_an_opted_out_number_gets_no_sms_and_start_re_enables_it(client, fake_twilio):
    signed_post(client, INBOUND, {"From": "+8613800000013", "Body": "退订"})
    blocked = message_deliver(message_id=sms_send(phone="+8613800000013", text="提醒一").pk)
    assert blocked.status == Message.Status.CANCELLED
    assert "退订" in blocked.last_error
    # when
    response = signed_post(client, INBOUND, {"From": "+8613800000013", "Body": "START"})
    # then
    assert "恢复" in response.content.decode()
    assert not SmsOptOut.objects.get(phone="+8613800000013").opted_out
    assert message_deliver(message_id=sms_send(phone="+8613800000013", text="提醒二").pk).status == "sent"
    assert [r["Body"] for r in fake_twilio.requests] == ["提醒二"]


def test_other_replies_go_to_registered_handlers_first_then_get_a_helpful_answer(client):
    calls = []

    def check_in_handler(*, from_number, body):
        calls.append((from_number, body))
        return "【爱心妈妈】已记录您的关爱。" if body.strip() == "1" else None

    inbound_handler_register(check_in_handler)
    try:
        handled = signed_post(client, INBOUND, {"From": "+8613800000014", "Body": "1"})
        unknown = signed_post(client, INBOUND, {"From": "+8613800000014", "Body": "你好"})
    finally:
        _handlers.remove(check_in_handler)
    assert "已记录您的关爱" in handled.content.decode()
    assert "如需帮助请联系所在妇联" in unknown.content.decode()
    assert calls == [("+8613800000014", "1"), ("+8613800000014", "你好")]
    assert not SmsOptOut.objects.exists()


def test_inbound_without_signature_is_refused(client):
    assert client.post(INBOUND, {"From": "+8613800000015", "Body": "STOP"}).status_code == 403
    assert not SmsOptOut.objects.exists()


# --- replays (issue 15, item 12): a signed callback acts once ---------------------------------


def test_a_replayed_status_callback_changes_nothing(client):
    # given: "failed" was recorded, then staff retried and the row is being sent again
    message = MessageFactory(status=Message.Status.SENT, provider_id="SM" + "f" * 32)
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "failed", "ErrorCode": "30003"}
    assert signed_post(client, STATUS, params).status_code == 204
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING)
    # when: someone replays the captured, correctly signed request
    response = signed_post(client, STATUS, params)
    # then
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.SENDING


def test_a_later_status_of_the_same_message_still_counts(client):
    message = MessageFactory(status=Message.Status.SENT, provider_id="SM" + "g" * 32)
    signed_post(client, STATUS, {"MessageSid": "SM" + "g" * 32, "MessageStatus": "sent"})
    signed_post(client, STATUS, {"MessageSid": "SM" + "g" * 32, "MessageStatus": "delivered"})
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_a_replayed_stop_after_start_does_not_opt_her_out_again(client):
    stop = {"From": "+8613800000016", "Body": "STOP", "MessageSid": "SM" + "s" * 32}
    signed_post(client, INBOUND, stop)
    signed_post(client, INBOUND, {"From": "+8613800000016", "Body": "START", "MessageSid": "SM" + "t" * 32})
    # when
    response = signed_post(client, INBOUND, stop)
    # then
    assert response.status_code == 200
    assert "<Message>" not in response.content.decode()
    assert not SmsOptOut.objects.get(phone="+8613800000016").opted_out
