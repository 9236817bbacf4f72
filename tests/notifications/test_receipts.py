"""Delivery receipts of Aliyun (SmsReport push) and Tencent Cloud (status callback).

Neither vendor signs these pushes, so they are accepted only from the configured addresses
and only for a message we sent to that number; a replay changes nothing.
"""

import json

import pytest

from notifications.models import Message
from notifications.services import message_batch_deliver, sms_send_template

pytestmark = pytest.mark.django_db
URLS = {"aliyun": "/webhooks/aliyun/sms-report/", "tencent": "/webhooks/tencent/sms-status/"}
PROVIDER_ADDRESS = "100.64.10.20"


@pytest.fixture(autouse=True)
def _receipt_addresses(settings):
    settings.ALIYUN_SMS_RECEIPT_IPS = ["100.64.10.0/24"]
    settings.TENCENT_SMS_RECEIPT_IPS = ["100.64.10.0/24"]
    settings.RATE_LIMIT_TRUSTED_PROXIES = 0


def push(client, provider, payload, address=PROVIDER_ADDRESS):
    return client.post(URLS[provider], json.dumps(payload), content_type="application/json", REMOTE_ADDR=address)


def sent_batch(provider, phones):
    messages = [
        sms_send_template(
            phone=p,
            template="notifications.reminder",
            params={"volunteer": "王丽", "task": f"打电话{i}", "due": "明天"},
            urgent=True,
        )
        for i, p in enumerate(phones)
    ]
    message_batch_deliver(message_ids=[m.pk for m in messages], provider=provider)
    return [Message.objects.get(pk=m.pk) for m in messages]


def test_a_receipt_from_the_provider_marks_the_message_delivered(client, domestic):
    provider, fake = domestic
    first, second = sent_batch(provider, ["+8613800000901", "+8613800000902"])
    assert first.status == second.status == Message.Status.SENT
    # when: the provider pushes the receipt of the first only
    response = push(client, provider, fake.receipts(only=fake.created[:1]))
    # then
    assert response.status_code == 200
    assert response.json() == (
        {"code": 0, "msg": "接收成功"} if provider == "aliyun" else {"result": 0, "errmsg": "OK"}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Message.Status.DELIVERED and first.delivered_at is not None
    assert second.status == Message.Status.SENT


def test_a_failure_receipt_marks_the_message_failed_with_the_carriers_code(client, domestic):
    provider, fake = domestic
    (message,) = sent_batch(provider, ["+8613800000903"])
    kwargs = {"err_code": "MK:0001"} if provider == "aliyun" else {"errmsg": "MK:0001"}
    push(client, provider, fake.receipts(success=False, **kwargs))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error_code == "MK:0001"


def test_a_receipt_from_another_address_is_refused_and_changes_nothing(client, domestic):
    provider, fake = domestic
    (message,) = sent_batch(provider, ["+8613800000904"])
    response = push(client, provider, fake.receipts(), address="203.0.113.9")
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_forged_receipt_for_a_message_we_did_not_send_changes_nothing(client, domestic):
    provider, fake = domestic
    (message,) = sent_batch(provider, ["+8613800000905"])
    forged = fake.receipts(success=False)
    # the right id, another number; and a made-up id with the right number
    key = "phone_number" if provider == "aliyun" else "mobile"
    id_key = "biz_id" if provider == "aliyun" else "sid"
    other_number = [dict(forged[0], **{key: "13900000000"})]
    made_up = [dict(forged[0], **{id_key: "123^456", "out_id": "nope"})]
    for payload in (other_number, made_up):
        assert push(client, provider, payload).status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_replayed_receipt_changes_nothing(client, domestic):
    provider, fake = domestic
    (message,) = sent_batch(provider, ["+8613800000906"])
    kwargs = {"err_code": "MK:0002"} if provider == "aliyun" else {"errmsg": "MK:0002"}
    failed = fake.receipts(success=False, **kwargs)
    push(client, provider, failed)
    # staff retried and the message is on its way again under the same provider id
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING)
    # when
    push(client, provider, failed)
    # then
    message.refresh_from_db()
    assert message.status == Message.Status.SENDING


@pytest.mark.parametrize("body", [b"not json", b'{"a": 1}', b"[1, 2]", b"[" * 2000 + b"]" * 2000])
def test_a_malformed_receipt_is_a_400_not_a_500(client, body, settings):
    for url in URLS.values():
        response = client.post(url, body, content_type="application/json", REMOTE_ADDR=PROVIDER_ADDRESS)
        assert response.status_code in (200, 400)
        assert response.status_code == 400 or body == b'{"a": 1}'
