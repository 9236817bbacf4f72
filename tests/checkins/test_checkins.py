import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.checkins.models import CheckIn, Reminder
from backend.checkins.services import (
    checkin_acknowledge,
    checkin_create,
    checkin_sms_reply,
    due_refresh,
    reminders_create,
)
from backend.children.models import Concern
from backend.ops.errors import ServiceError
from notifications.models import Message
from tests.checkins.factories import ContactRuleFactory, PairingFactory
from tests.children.factories import ChildFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_resent_offline_entry_is_recorded_once(pairing, at):
    at("2027-03-10 09:00")
    first = checkin_create(volunteer=pairing.volunteer, children=[pairing.child], kind="phone_call", client_key="k-1")
    again = checkin_create(volunteer=pairing.volunteer, children=[pairing.child], kind="phone_call", client_key="k-1")
    assert first.pk == again.pk
    assert CheckIn.objects.count() == 1


def test_one_entry_can_cover_a_group_of_her_children(pairing, programme, at):
    at("2027-03-10 09:00")
    other = PairingFactory(programme=programme, volunteer=pairing.volunteer, started_on=D(2027, 3, 1))
    checkin = checkin_create(volunteer=pairing.volunteer, children=[pairing.child, other.child], kind="activity")
    assert sorted(checkin.child_links.values_list("pairing_id", flat=True)) == sorted([pairing.pk, other.pk])


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "dancing"}, "kind"),
        ({"occurred_on": D(2027, 3, 11)}, "occurred_on"),
        ({"occurred_on": D(2026, 11, 1)}, "occurred_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"worried": True}, "note"),
        ({"photo": SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 20, "image/gif")}, "photo"),
        ({"photo": SimpleUploadedFile("a.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")}, "photo"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(pairing, at, kwargs, field):
    at("2027-03-10 09:00")
    values = {"kind": "phone_call", **kwargs}
    with pytest.raises(ServiceError) as exc:
        checkin_create(volunteer=pairing.volunteer, children=[pairing.child], **values)
    assert exc.value.field == field
    assert not CheckIn.objects.exists()


def test_a_child_she_is_not_paired_with_is_refused(pairing, at):
    at("2027-03-10 09:00")
    with pytest.raises(ServiceError) as exc:
        checkin_create(volunteer=pairing.volunteer, children=[ChildFactory()], kind="phone_call")
    assert exc.value.field == "children"


def test_worried_raises_a_concern_for_staff_and_a_photo_is_kept(pairing, at):
    at("2027-03-10 09:00")
    checkin = checkin_create(
        volunteer=pairing.volunteer,
        children=[pairing.child],
        kind="home_visit",
        worried=True,
        note="孩子说奶奶住院了，家里没人做饭",
        photo=SimpleUploadedFile("visit.png", PNG, "image/png"),
    )
    concern = Concern.objects.get(child=pairing.child)
    assert "奶奶住院" in concern.description and concern.raised_by == pairing.volunteer.user
    assert checkin.photo.name.endswith(".png")


def test_staff_log_on_her_behalf_and_thank_her(pairing, qinshui_officer, at):
    at("2027-03-10 09:00")
    checkin = checkin_create(
        volunteer=pairing.volunteer,
        children=[pairing.child],
        kind="home_visit",
        source="staff",
        logged_by=qinshui_officer,
    )
    assert (checkin.source, checkin.logged_by) == ("staff", qinshui_officer)
    checkin_acknowledge(checkin=checkin, user=qinshui_officer)
    checkin_acknowledge(checkin=checkin, user=qinshui_officer)  # a second click sends nothing more
    thanks = Message.objects.get(template="checkins.thanks")
    assert thanks.recipient == pairing.volunteer.phone and pairing.child.given_name in thanks.body
    checkin.refresh_from_db()
    assert checkin.acknowledged_by == qinshui_officer


def _reminded(pairing, programme):
    ContactRuleFactory(programme=programme)
    due_refresh(today=D(2027, 3, 28))
    reminders_create(today=D(2027, 3, 28))
    return Reminder.objects.get()


def test_a_reply_of_1_logs_a_call_for_the_child_of_the_latest_reminder(pairing, programme, at):
    at("2027-03-28 12:00")
    _reminded(pairing, programme)
    assert checkin_sms_reply(from_number=pairing.volunteer.phone, body=" 1 ") == ""
    checkin = CheckIn.objects.get()
    assert (checkin.kind, checkin.source, list(checkin.children.all())) == ("phone_call", "sms", [pairing.child])
    assert "已记录" in Message.objects.get(template="checkins.sms_logged").body


@pytest.mark.parametrize("body", ["好的", "9", "11", ""])
def test_a_stray_reply_gets_help_and_records_nothing(pairing, programme, at, body):
    at("2027-03-28 12:00")
    _reminded(pairing, programme)
    answer = checkin_sms_reply(from_number=pairing.volunteer.phone, body=body)
    assert "回复1" in answer
    assert not CheckIn.objects.exists()


def test_a_reply_without_a_recent_reminder_records_nothing(pairing, at):
    at("2027-03-28 12:00")
    assert "本次未记录" in checkin_sms_reply(from_number=pairing.volunteer.phone, body="1")
    assert not CheckIn.objects.exists()


def test_replies_from_unknown_numbers_are_left_to_other_handlers(regions):
    assert checkin_sms_reply(from_number="+8613700000000", body="1") is None
    assert checkin_sms_reply(from_number="not a phone", body="1") is None
