"""The whole loop on real PostgreSQL, Redis and a Celery worker, with the clock moved by time-machine.

A pairing is approved; a month later the nightly pass queues a reminder that the worker
sends through the SMS channel; a signed reply "1" logs the check-in and is confirmed; the
next reminder is scheduled from that date; when it is ignored, the town's staff hear of it.
"""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from backend.checkins.models import CheckIn, DueState, Escalation, Reminder
from backend.checkins.tasks import due_nightly_task, reminders_hourly_task
from celery_app import app
from notifications.models import LocalDelivery, Message
from notifications.tasks import outbox_dispatch_task
from pairing.services import pairing_create
from tests.checkins.factories import ContactRuleFactory
from tests.children.factories import ChildFactory
from tests.factories import ProgrammeFactory, StaffFactory
from tests.notifications.standins.twilio_fake import twilio_signature
from tests.volunteers.factories import VolunteerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOKEN = "e2e-twilio-token"
BASE = "https://aixin.example.org"
INBOUND = "/webhooks/twilio/inbound/"


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll for what the worker does in its own thread (not a way of controlling time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def local(when: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


def texts_to(phone: str) -> list[str]:
    """The check-in texts the phone received (the pairing's own welcome text is not ours)."""
    rows = LocalDelivery.objects.filter(to=phone, message__template__startswith="checkins.").order_by("id")
    return list(rows.values_list("text", flat=True))


def test_reminder_reply_reschedule_and_escalation_through_a_real_worker(regions, settings, client):
    settings.SMS_CHANNEL = "local"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = BASE
    app.control.purge()
    programme = ProgrammeFactory()
    rule = ContactRuleFactory(programme=programme, name="每月电话或视频", every_days=30, lead_days=3)
    officer = StaffFactory(username="longgang-e2e", home_region_id="140521100", phone="+8613900000077")
    volunteer = VolunteerFactory(programme=programme, village_id="140521100001")
    child = ChildFactory(village_id="140521100001", given_name="小梅")
    phone = volunteer.phone

    with time_machine.travel(local("2027-03-01 10:00"), tick=True) as clock:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            # given: staff approve a pairing on 1 March
            pairing = pairing_create(programme=programme, child=child, volunteer=volunteer, user=officer)

            # when: 28 March, the nightly pass runs on the worker (due 31 March, 3 days' lead)
            clock.move_to(local("2027-03-28 01:30"))
            due_nightly_task.delay()
            assert wait_for(lambda: Reminder.objects.filter(stage="before").exists())
            # quiet hours until 08:00: the outbox holds it; at 10:00 the dispatcher sends it
            clock.move_to(local("2027-03-28 10:00"))
            outbox_dispatch_task.delay()
            assert wait_for(lambda: len(texts_to(phone)) == 1)
            reminder_text = texts_to(phone)[0]
            assert "小梅" in reminder_text and "回复1" in reminder_text and "王小梅" not in reminder_text

            # when: she replies "1" (signed like Twilio)
            params = {"From": phone, "Body": "1", "MessageSid": "SM" + "1" * 32}
            signature = twilio_signature(url=BASE + INBOUND, params=params, auth_token=TOKEN)
            response = client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
            assert response.status_code == 200
            # then: the check-in is recorded once and confirmed by SMS through the worker
            checkin = CheckIn.objects.get()
            assert (checkin.source, checkin.kind, checkin.occurred_on) == (
                "sms",
                "phone_call",
                datetime.date(2027, 3, 28),
            )
            assert wait_for(lambda: len(texts_to(phone)) == 2)
            assert "已记录" in texts_to(phone)[1]
            # a Twilio retry of the same reply records nothing new
            client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
            assert CheckIn.objects.count() == 1

            # then: the next contact is due 30 days after the call, and reminded before it
            state = DueState.objects.get(pairing=pairing, rule=rule)
            assert state.next_due_on == datetime.date(2027, 4, 27)
            clock.move_to(local("2027-04-24 11:00"))
            reminders_hourly_task.delay()
            assert wait_for(lambda: Reminder.objects.filter(due_on=datetime.date(2027, 4, 27)).exists())
            outbox_dispatch_task.delay()
            assert wait_for(lambda: len(texts_to(phone)) == 3)

            # when: she ignores it; a week after the due date the nightly pass escalates
            clock.move_to(local("2027-05-04 10:00"))
            due_nightly_task.delay()
            assert wait_for(lambda: Escalation.objects.filter(level=1).exists())
            outbox_dispatch_task.delay()
            assert wait_for(lambda: len(texts_to(officer.phone)) == 1)

    escalation = Escalation.objects.get(level=1)
    assert escalation.region_id == "140521100" and escalation.overdue_days == 7
    assert "1个结对逾期未联系" in texts_to(officer.phone)[0]
    assert "小梅" not in texts_to(officer.phone)[0]
    # she was reminded on the day it went overdue, once
    assert Reminder.objects.filter(stage="overdue", due_on=datetime.date(2027, 4, 27)).count() == 1
    assert Message.objects.filter(template="checkins.reminder_overdue").count() == 1
