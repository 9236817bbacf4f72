import datetime

import pytest

from backend.checkins.models import CalendarEvent, CheckIn, DueState, Escalation, Reminder
from backend.checkins.selectors import pairings_overdue
from backend.checkins.services import (
    checkin_create,
    due_nightly,
    due_refresh,
    escalations_raise,
    reminders_create,
)
from notifications.models import Message
from tests.checkins.factories import CalendarEventFactory, ContactRuleFactory, checkin_for
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _monthly(programme):
    return ContactRuleFactory(programme=programme, name="每月电话", every_days=30, lead_days=3)


def test_a_new_pairing_is_due_every_n_days_from_its_start(pairing, programme):
    rule = _monthly(programme)
    due_refresh(today=D(2027, 3, 2))
    state = DueState.objects.get(pairing=pairing, rule=rule)
    assert state.next_due_on == D(2027, 3, 31)
    assert state.last_contact_on is None


def test_the_last_matching_checkin_moves_the_due_date_and_other_kinds_do_not(pairing, programme):
    rule = _monthly(programme)
    checkin_for(pairing, on=D(2027, 3, 10), kind=CheckIn.Kind.PHONE_CALL)
    checkin_for(pairing, on=D(2027, 3, 20), kind=CheckIn.Kind.GIFT)  # not a call: does not count
    due_refresh(today=D(2027, 3, 21))
    state = DueState.objects.get(pairing=pairing, rule=rule)
    assert state.last_contact_on == D(2027, 3, 10)
    assert state.next_due_on == D(2027, 4, 9)


def test_a_rule_for_other_categories_does_not_apply(pairing, programme):
    ContactRuleFactory(programme=programme, categories=["in_difficulty"])
    due_refresh(today=D(2027, 3, 2))
    assert not DueState.objects.filter(pairing=pairing).exists()


def test_refresh_is_idempotent_and_writes_nothing_when_nothing_changed(pairing, programme):
    _monthly(programme)
    assert due_refresh(today=D(2027, 3, 2)) == 1
    assert due_refresh(today=D(2027, 3, 3)) == 0
    assert DueState.objects.count() == 1


def test_reminders_go_before_on_and_after_the_due_day_once_each(pairing, programme):
    _monthly(programme)  # due 31 March, 3 days' lead
    due_refresh(today=D(2027, 3, 27))
    assert reminders_create(today=D(2027, 3, 27)) == 0  # too early
    assert reminders_create(today=D(2027, 3, 28)) == 1  # before
    assert reminders_create(today=D(2027, 3, 28)) == 0  # never twice the same day
    assert reminders_create(today=D(2027, 3, 29)) == 0  # the before stage went already
    assert reminders_create(today=D(2027, 3, 31)) == 1  # on the day
    assert reminders_create(today=D(2027, 4, 1)) == 1  # overdue
    assert reminders_create(today=D(2027, 4, 5)) == 0
    stages = list(Reminder.objects.order_by("id").values_list("stage", flat=True))
    assert stages == ["before", "due", "overdue"]
    sms = Message.objects.filter(template__startswith="checkins.reminder").order_by("id")
    assert [m.recipient for m in sms] == [pairing.volunteer.phone] * 3
    assert all(
        pairing.child.given_name in m.body and pairing.child.family_name + pairing.child.given_name not in m.body
        for m in sms
    )
    assert len({m.idempotency_key for m in sms}) == 3


def test_a_checkin_moves_the_due_date_and_cancels_pending_reminders(pairing, programme, at):
    rule = _monthly(programme)
    at("2027-03-28 22:30")  # quiet hours: the reminder waits in the outbox until 08:00
    due_refresh(today=D(2027, 3, 28))
    reminders_create(today=D(2027, 3, 28))
    message = Message.objects.get(template="checkins.reminder_before")
    assert message.status == Message.Status.PENDING

    checkin = checkin_create(
        volunteer=pairing.volunteer,
        children=[pairing.child],
        kind=CheckIn.Kind.PHONE_CALL,
        logged_by=pairing.volunteer.user,
    )

    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    state = DueState.objects.get(pairing=pairing, rule=rule)
    assert state.next_due_on == D(2027, 4, 27)
    assert checkin.child_links.get().pairing == pairing


def test_overdue_escalates_to_town_staff_then_the_county(pairing, programme, longgang_officer):
    from backend.checkins.services import staff_digests_send

    longgang_officer.phone = "+8613900000001"
    longgang_officer.save()
    _monthly(programme)  # due 31 March; staff after 7 days, county after 30
    due_refresh(today=D(2027, 4, 7))
    assert escalations_raise(today=D(2027, 4, 6)) == {1: 0, 2: 0}
    assert escalations_raise(today=D(2027, 4, 7))[1] == 1
    assert escalations_raise(today=D(2027, 4, 7)) == {1: 0, 2: 0}  # idempotent
    assert staff_digests_send(today=D(2027, 4, 7)) == 1
    digest = Message.objects.get(template="checkins.staff_digest")
    assert digest.recipient == "+8613900000001" and "1个结对" in digest.body
    assert escalations_raise(today=D(2027, 4, 30))[2] == 1
    county = Escalation.objects.get(level=2)
    assert county.region_id == "140521" and county.overdue_days == 30
    assert [p.pk for p in pairings_overdue(today=D(2027, 4, 30))] == [pairing.pk]


def test_a_checkin_resolves_escalations(pairing, programme, at):
    _monthly(programme)
    at("2027-04-10 10:00")
    due_nightly(today=D(2027, 4, 10))
    assert Escalation.objects.filter(resolved_on__isnull=True).count() == 1
    checkin_create(volunteer=pairing.volunteer, children=[pairing.child], kind=CheckIn.Kind.VIDEO_CALL)
    assert Escalation.objects.get().resolved_on == D(2027, 4, 10)
    assert not pairings_overdue(today=D(2027, 4, 10)).exists()


def test_childrens_day_is_met_by_an_activity_in_its_window(pairing, programme):
    event = CalendarEventFactory(programme=programme, month=6, day=1, lead_days=7, grace_days=7, kinds=["activity"])
    due_refresh(today=D(2027, 5, 20))
    state = DueState.objects.get(event=event)
    assert state.next_due_on == D(2027, 6, 1) and state.satisfied_on is None
    checkin_for(pairing, on=D(2027, 5, 28), kind=CheckIn.Kind.ACTIVITY)  # written directly: needs a full pass
    due_refresh(today=D(2027, 6, 2))
    state.refresh_from_db()
    assert state.satisfied_on is None  # the nightly pass is incremental
    due_refresh(today=D(2027, 6, 2), full=True)
    state.refresh_from_db()
    assert state.satisfied_on == D(2027, 5, 28)
    # after the grace period the next year's date is owed
    due_refresh(today=D(2027, 6, 9))
    state.refresh_from_db()
    assert state.next_due_on == D(2028, 6, 1) and state.satisfied_on is None


def test_birthday_is_per_child_and_29_february_falls_on_the_28th(pairing, programme):
    pairing.child.birth_date = D(2016, 2, 29)
    pairing.child.save()
    event = CalendarEventFactory(programme=programme, kind=CalendarEvent.Kind.BIRTHDAY, month=None, day=None)
    due_refresh(today=D(2027, 3, 2))
    assert DueState.objects.get(event=event).next_due_on == D(2028, 2, 29)
    pairing.child.birth_date = D(2016, 7, 9)  # a corrected file: the weekly full pass picks it up
    pairing.child.save()
    due_refresh(today=D(2027, 3, 2), full=True)
    assert DueState.objects.get(event=event).next_due_on == D(2027, 7, 9)


def test_dated_events_use_the_configured_date_of_the_year(pairing, programme):
    event = CalendarEventFactory(
        programme=programme, kind=CalendarEvent.Kind.DATED, month=None, day=None, dates={"2028": "2028-01-26"}
    )
    due_refresh(today=D(2027, 3, 2))
    assert DueState.objects.get(event=event).next_due_on == D(2028, 1, 26)


def test_an_ended_pairing_owes_nothing(pairing, programme):
    from pairing.models import Pairing

    _monthly(programme)
    due_refresh(today=D(2027, 3, 2))
    Pairing.objects.filter(pk=pairing.pk).update(status="ended", ended_on=D(2027, 3, 5), end_reason="other")
    due_refresh(today=D(2027, 3, 6))
    assert not DueState.objects.exists()


def test_staff_cannot_log_for_children_outside_their_area(pairing, programme):
    from backend.ops.errors import ServiceError

    outsider = StaffFactory(username="zz", home_region_id="140525")
    with pytest.raises(ServiceError) as exc:
        checkin_create(
            volunteer=pairing.volunteer, children=[pairing.child], kind="home_visit", source="staff", logged_by=outsider
        )
    # Issue 15: refused on the volunteer, before anything is looked up, as if she did not exist.
    assert exc.value.field == "volunteer"


def test_long_overdue_pairings_reach_the_countys_wecom_group_once_a_week(pairing, programme):
    from backend.checkins.services import county_digests_send
    from notifications.models import WeComRobot

    robot = WeComRobot.objects.create(region_id="140521", name="沁水县爱心妈妈群", key="robot-key-0123456789")
    _monthly(programme)  # due 31 March; the county hears at 30 days overdue
    due_refresh(today=D(2027, 4, 30))
    escalations_raise(today=D(2027, 4, 30))
    assert county_digests_send(today=D(2027, 4, 30)) == 1
    assert county_digests_send(today=D(2027, 5, 1)) == 1  # same ISO week: the same message
    digest = Message.objects.get(channel="wecom")
    assert digest.recipient == f"robot:{robot.pk}"
    assert "龙港镇" in digest.body and "1" in digest.body
    assert pairing.child.given_name not in digest.body
