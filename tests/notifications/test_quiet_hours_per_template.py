"""Which texts may wake a phone at night: the ones a person is waiting for, and nothing else."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.services import sms_send_template
from notifications.templates import template_all

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

# Texts a person waits for at the phone: one-time codes, and replies to what she just did.
# Each is sent at once, even at 23:30. Every other template waits for the morning.
AWAITED = {
    "phone_code",  # sign-in, application and status codes expire in 10 minutes
    "notifications.otp",
    "notifications.inbound_help",  # the answer to an SMS she just sent
    "checkins.sms_logged",  # the confirmation of a check-in she just sent by SMS
    "application_received",  # the reference number of the application she just submitted
}


def test_every_awaited_template_is_registered():
    assert AWAITED <= {t.name for t in template_all()}


@pytest.mark.parametrize("template", template_all(), ids=lambda t: t.name)
@time_machine.travel(datetime.datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI), tick=False)
def test_awaited_texts_go_out_in_quiet_hours_and_reminders_wait_until_eight(template):
    # given: 23:30 in Shanghai, inside the default quiet hours 21:00-08:00
    # when
    message = sms_send_template(phone="+8613800000001", template=template.name, params=dict(template.example or {}))
    # then
    if template.name in AWAITED:
        assert message.next_attempt_at == timezone.now(), f"{template.name} is held for quiet hours"
    else:
        assert message.next_attempt_at == datetime.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI), (
            f"{template.name} would wake a phone at night"
        )
