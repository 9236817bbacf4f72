"""What activities leave behind: reminders in the outbox, volunteers' minutes, the dashboard's figures."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from backend.activities import selectors, services
from backend.activities.models import Activity
from notifications.models import Message
from tests.activities.factories import ActivityFactory, guardian_signup

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_the_day_before_reminder_goes_once_and_waits_for_the_end_of_quiet_hours(regions):
    start = datetime.datetime(2027, 7, 15, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(datetime.datetime(2027, 7, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        camp = ActivityFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=6), signup_closes_at=start)
        signup = guardian_signup(camp, 1)
    # when: the hourly task runs at 22:15 the evening before, and again an hour later
    with time_machine.travel(datetime.datetime(2027, 7, 14, 22, 15, tzinfo=SHANGHAI), tick=False):
        assert services.reminders_day_before() == 1
        services.reminders_day_before()
    # then: one message, held until 08:00 (quiet hours), naming the activity and no child
    reminders = list(Message.objects.filter(template="activities.day_before"))
    assert len(reminders) == 1
    assert reminders[0].recipient == signup.phone
    assert reminders[0].next_attempt_at == datetime.datetime(2027, 7, 15, 8, 0, tzinfo=SHANGHAI)
    assert camp.title[:10] in reminders[0].body


def test_no_message_of_a_childs_signup_carries_her_name(pairing):
    camp = ActivityFactory(kind=Activity.Kind.CAMP, capacity_children=1)
    child = pairing.child
    services.signup_create(
        activity=camp, audience="child", channel="volunteer", by=pairing.volunteer.user, child=child, consent_by="奶奶"
    )
    from tests.children.factories import ChildFactory

    second = services.signup_create(
        activity=camp,
        audience="child",
        channel="guardian",
        child=ChildFactory(),
        phone="13900000009",
        consent_by="外婆",
    )
    services.signup_cancel(signup=second)
    bodies = list(Message.objects.filter(template__startswith="activities.").values_list("body", flat=True))
    assert len(bodies) == 3  # confirmed, waiting, cancelled
    for body in bodies:
        assert child.given_name not in body and child.family_name not in body


def test_a_volunteers_attended_minutes_are_kept_per_session_for_service_records(pairing, qinshui_officer):
    volunteer = pairing.volunteer
    camp = ActivityFactory(kind=Activity.Kind.HOLIDAY)
    signup = services.signup_create(
        activity=camp, audience="volunteer", channel="volunteer", by=volunteer.user, volunteer=volunteer
    )
    session = camp.sessions.get()
    services.attendance_mark(session=session, signup=signup, by=qinshui_officer)
    services.attendance_mark(session=session, signup=signup, by=qinshui_officer)  # idempotent
    service = selectors.volunteer_activity_service(
        volunteer, session.starts_at - datetime.timedelta(days=1), session.starts_at + datetime.timedelta(days=1)
    )
    assert service["minutes"] == 360
    assert [r["session_id"] for r in service["rows"]] == [session.pk]
    outside = selectors.volunteer_activity_service(
        volunteer, session.starts_at + datetime.timedelta(hours=1), session.starts_at + datetime.timedelta(days=1)
    )
    assert outside == {"rows": [], "minutes": 0}


def test_a_volunteers_attended_session_lands_in_her_service_record_and_leaves_it_when_untaken(pairing, qinshui_officer):
    from pghistory.models import Events

    from backend.activities.models import Attendance
    from backend.records.models import ServiceEntry
    from backend.records.selectors import approved_minutes
    from backend.records.services import service_entries_sync

    volunteer = pairing.volunteer
    camp = ActivityFactory(kind=Activity.Kind.HOLIDAY, title="寒假关爱日")
    signup = services.signup_create(
        activity=camp, audience="volunteer", channel="volunteer", by=volunteer.user, volunteer=volunteer
    )
    session = camp.sessions.get()
    # a child's attendance is not anyone's service time
    child_signup = services.signup_create(
        activity=camp, audience="child", channel="volunteer", by=volunteer.user, child=pairing.child, consent_by="奶奶"
    )
    services.attendance_mark(session=session, signup=child_signup, by=qinshui_officer)
    assert not ServiceEntry.objects.exists()

    services.attendance_mark(session=session, signup=signup, by=qinshui_officer)
    services.attendance_mark(session=session, signup=signup, by=qinshui_officer)  # once
    entry = ServiceEntry.objects.get()
    assert (entry.source, entry.status, entry.minutes) == ("event", "approved", 360)
    assert entry.served_on == timezone.localdate(session.starts_at)
    assert entry.content == "假期关爱日：寒假关爱日" and pairing.child.given_name not in entry.content
    assert approved_minutes(volunteer=volunteer) == 360

    # the tick taken back: the entry leaves her record (its history stays)
    services.attendance_mark(session=session, signup=signup, by=qinshui_officer, present=False)
    assert not ServiceEntry.objects.exists()
    assert Events.objects.filter(pgh_label="delete").count() == 1

    # an attendance written some other way is taken in by the nightly pass
    Attendance.objects.create(session=session, signup=signup, minutes=120, checked_in_by=qinshui_officer)
    assert service_entries_sync() == 1
    assert ServiceEntry.objects.get().minutes == 120


def test_the_dashboard_counts_activities_children_guardians_and_wishes_per_month(pairing, qinshui_officer):
    start = timezone.now() - datetime.timedelta(days=2)
    with time_machine.travel(start - datetime.timedelta(days=5)):
        camp = ActivityFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
        child_signup = services.signup_create(
            activity=camp, audience="child", channel="staff", child=pairing.child, consent_by="奶奶"
        )
        parents = [guardian_signup(camp, n) for n in range(2)]
    session = camp.sessions.get()
    for s in [child_signup, *parents]:
        services.attendance_mark(session=session, signup=s, by=qinshui_officer)
    wish = services.wish_record(child=pairing.child, by=qinshui_officer, item="书包", estimated_value=60, publish=True)
    services.wish_claim(wish=wish, volunteer=pairing.volunteer)
    services.wish_fulfil(wish=wish, fulfilled_on=timezone.localdate())
    # when
    months = selectors.activity_months(region_code="140521", today=timezone.localdate())
    # then
    month = start.astimezone(SHANGHAI)
    row = next(m for m in months if m["month"] == f"{month.year:04d}-{month.month:02d}")
    assert (row["activities_held"], row["children_reached"], row["guardians_reached"]) == (1, 1, 2)
    assert months[-1]["wishes_fulfilled"] == 1
    elsewhere = selectors.activity_months(region_code="140525", today=timezone.localdate())
    assert all(m["activities_held"] == 0 and m["wishes_fulfilled"] == 0 for m in elsewhere)


def test_the_dashboard_page_and_export_show_the_activity_figures(client, pairing, city_officer):
    client.force_login(city_officer)
    page = client.get("/staff/dashboard/")
    assert page.status_code == 200 and 'id="activity-months"' in page.content.decode()
    export = client.get(page.context["export_url"])
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.content))
    assert "每月关爱活动" in book.sheetnames and "各区划每月关爱活动" in book.sheetnames
