import datetime

import pytest
import time_machine

from backend.accounts.models import PhoneCode
from backend.accounts.services import (
    PHONE_CODE_MAX_ATTEMPTS,
    phone_code_request,
    phone_code_verify,
    phone_normalise,
)
from backend.ops.errors import ServiceError
from backend.ops.ratelimit import RateLimited
from notifications.models import Message
from tests.factories import outbox_code

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)


def _sent_code(phone: str) -> str:
    return outbox_code(Message.objects.filter(recipient=phone, template="phone_code").latest("id"))


def test_code_is_sent_by_sms_and_stored_only_as_a_hash():
    row = phone_code_request(phone="138 0013 8000", purpose="apply", ip="10.0.0.1")
    message = Message.objects.get(template="phone_code")
    code = outbox_code(message)
    assert message.recipient == "+8613800138000"
    assert len(code) == 6 and code.isdigit()
    # Issue 15: the code is not in the stored row in clear (an admin reading the outbox
    # could sign in as the volunteer); it is encrypted there and masked in the body.
    assert code not in message.body and code not in str(message.params)
    assert row.phone == "+8613800138000"
    assert code not in row.code_hash


def test_right_code_verifies_once():
    phone_code_request(phone="13800138000", purpose="apply")
    code = _sent_code("+8613800138000")
    assert phone_code_verify(phone="13800138000", purpose="apply", code=code).used_at is not None
    with pytest.raises(ServiceError) as info:
        phone_code_verify(phone="13800138000", purpose="apply", code=code)
    assert info.value.field == "code"


def test_code_for_one_purpose_does_not_verify_another():
    phone_code_request(phone="13800138000", purpose="status")
    with pytest.raises(ServiceError):
        phone_code_verify(phone="13800138000", purpose="apply", code=_sent_code("+8613800138000"))


def test_code_expires_after_ten_minutes():
    with time_machine.travel(START, tick=False) as traveller:
        phone_code_request(phone="13800138000", purpose="apply")
        code = _sent_code("+8613800138000")
        traveller.shift(datetime.timedelta(minutes=10, seconds=1))
        with pytest.raises(ServiceError) as info:
            phone_code_verify(phone="13800138000", purpose="apply", code=code)
    assert info.value.code == "expired"


def test_code_still_works_just_before_ten_minutes():
    with time_machine.travel(START, tick=False) as traveller:
        phone_code_request(phone="13800138000", purpose="apply")
        code = _sent_code("+8613800138000")
        traveller.shift(datetime.timedelta(minutes=9, seconds=59))
        assert phone_code_verify(phone="13800138000", purpose="apply", code=code)


def test_wrong_codes_are_counted_and_then_the_code_is_dead():
    phone_code_request(phone="13800138000", purpose="apply")
    code = _sent_code("+8613800138000")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(PHONE_CODE_MAX_ATTEMPTS):
        with pytest.raises(ServiceError) as info:
            phone_code_verify(phone="13800138000", purpose="apply", code=wrong)
        assert info.value.code == "wrong"
    assert PhoneCode.objects.get().attempts == PHONE_CODE_MAX_ATTEMPTS
    with pytest.raises(ServiceError) as info:
        phone_code_verify(phone="13800138000", purpose="apply", code=code)
    assert info.value.code == "too_many_attempts"


def test_a_new_code_replaces_the_old_one():
    with time_machine.travel(START, tick=False) as traveller:
        phone_code_request(phone="13800138000", purpose="apply")
        first = _sent_code("+8613800138000")
        traveller.shift(datetime.timedelta(seconds=61))
        phone_code_request(phone="13800138000", purpose="apply")
        second = _sent_code("+8613800138000")
        if first != second:
            with pytest.raises(ServiceError):
                phone_code_verify(phone="13800138000", purpose="apply", code=first)
        assert phone_code_verify(phone="13800138000", purpose="apply", code=second)


def test_one_code_a_minute_per_number():
    with time_machine.travel(START, tick=False) as traveller:
        phone_code_request(phone="13800138000", purpose="apply")
        with pytest.raises(RateLimited) as info:
            phone_code_request(phone="13800138000", purpose="apply")
        assert info.value.status_code == 429 and info.value.field == "phone"
        traveller.shift(datetime.timedelta(seconds=60))
        phone_code_request(phone="13800138000", purpose="apply")
    assert PhoneCode.objects.count() == 2


def test_five_codes_an_hour_per_number():
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            phone_code_request(phone="13800138000", purpose="apply")
            traveller.shift(datetime.timedelta(seconds=61))
        with pytest.raises(RateLimited):
            phone_code_request(phone="13800138000", purpose="apply")
    assert Message.objects.count() == 5


def test_twenty_codes_an_hour_per_ip():
    with time_machine.travel(START, tick=False):
        for n in range(20):
            phone_code_request(phone=f"1380013{n:04d}", purpose="apply", ip="10.9.9.9")
        with pytest.raises(RateLimited):
            phone_code_request(phone="13900000000", purpose="apply", ip="10.9.9.9")
        phone_code_request(phone="13900000000", purpose="apply", ip="10.9.9.10")


@pytest.mark.parametrize("value", ["", "12345", "12345678901", "010-12345678", "+1 202 555 0100", "abc"])
def test_invalid_mobile_numbers_are_refused_naming_the_field(value):
    with pytest.raises(ServiceError) as info:
        phone_code_request(phone=value, purpose="apply")
    assert info.value.field == "phone"
    assert "手机" in info.value.message
    assert not Message.objects.exists()


def test_numbers_are_normalised_to_e164():
    assert phone_normalise("+86 139-1234-5678") == "+8613912345678"
    assert phone_normalise("13912345678") == "+8613912345678"


def test_old_codes_are_purged_and_recent_ones_kept():
    from backend.volunteers.tasks import phone_codes_purge_task

    with time_machine.travel(START, tick=False) as traveller:
        phone_code_request(phone="13800138000", purpose="apply")
        traveller.shift(datetime.timedelta(hours=23))
        phone_code_request(phone="13800138001", purpose="apply")
        traveller.shift(datetime.timedelta(hours=2))
        assert phone_code_purge_count() == 1
        assert phone_codes_purge_task() == 0
    assert list(PhoneCode.objects.values_list("phone", flat=True)) == ["+8613800138001"]


def phone_code_purge_count() -> int:
    from backend.accounts.services import phone_codes_purge

    return phone_codes_purge()


def test_the_code_reaches_the_phone_and_is_cleared_from_the_outbox_once_sent(settings):
    from notifications.models import LocalDelivery
    from notifications.services.send import message_deliver

    settings.SMS_CHANNEL = "local"
    phone_code_request(phone="138 0013 8001", purpose="apply", ip="10.0.0.1")
    message = Message.objects.get(template="phone_code")
    code = outbox_code(message)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert code in LocalDelivery.objects.get(message=message).text  # what the phone got
    assert "_sealed" not in message.params and code not in str(message.params) and code not in message.body
