"""The activities' journeys in Chromium at 360×740 (a phone): a guardian signs up for a lecture,
a volunteer signs a child up for a camp, staff take attendance."""

import re

import pytest
from django.test import Client

from backend.activities.models import Activity, Attendance, Signup
from notifications.models import Message
from tests.activities.factories import ActivityFactory
from tests.checkins.factories import PairingFactory
from tests.factories import outbox_code
from tests.volunteers.staff.browser import PHONE, assert_fits, open_section, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def test_a_guardian_signs_up_for_a_lecture_on_her_phone(live_server, browser, regions):
    lecture = ActivityFactory(kind=Activity.Kind.LECTURE, title="隔代教养讲座", capacity_children=0)
    context, page = _phone_page(browser)
    page.goto(f"{live_server.url}/g/")
    page.click(f"text={lecture.title}")
    page.fill("#id_phone", "13912345678")
    page.click("#send-code")
    page.wait_for_selector("#notice")
    code = outbox_code(Message.objects.filter(recipient="+8613912345678").latest("id"))
    page.fill("#id_phone", "13912345678")
    page.fill("#id_code", code)
    page.click("#verify")
    page.wait_for_selector("#signup-form")
    page.fill("#id_person_name", "李秀英")
    page.check("#who-guardian", force=True)
    page.click("#submit-signup")
    page.wait_for_selector("#signup-qr img")
    assert "已报名" in page.inner_text("#signup-status")
    assert_fits(page)
    shot(page, "activities-guardian-confirmation-phone")
    assert Signup.objects.get(activity=lecture).person_name == "李秀英"
    context.close()


def test_a_volunteer_signs_her_child_up_for_a_camp_on_her_phone(live_server, browser, regions, programme):
    pairing = PairingFactory(programme=programme)
    camp = ActivityFactory(kind=Activity.Kind.CAMP, title="暑期夏令营")
    client = Client()
    client.force_login(pairing.volunteer.user)
    context, page = _phone_page(browser)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(f"{live_server.url}/v/")
    page.click("#activities-link")
    page.click(f"text={camp.title}")
    page.click(f"label[for=who-{pairing.child.pk}]")
    page.click("#volunteer-signup-submit")
    page.wait_for_selector("#error-consent_by")  # a camp needs the guardian's consent
    page.click(f"label[for=who-{pairing.child.pk}]")
    page.fill("#id_consent_by", "张奶奶")
    page.fill("#id_consent_relation", "祖母")
    page.click("#volunteer-signup-submit")
    page.wait_for_selector("#signup-status")
    assert_fits(page)
    signup = Signup.objects.get(activity=camp)
    assert (signup.child_id, signup.consent_by, signup.status) == (pairing.child_id, "张奶奶", "confirmed")
    context.close()


def test_staff_take_attendance_on_a_phone(live_server, browser, regions, programme, qinshui_officer):
    pairing = PairingFactory(programme=programme)
    camp = ActivityFactory(kind=Activity.Kind.CAMP, title="假期关爱日")
    signup = Signup.objects.create(
        activity=camp, audience="child", child=pairing.child, status="confirmed", channel="staff", consent_by="奶奶"
    )
    context, page = sign_in(browser, live_server, qinshui_officer, PHONE)
    open_section(page, "activities_staff:list")
    page.click(f"text={camp.title}")
    page.click("#checkin-1")
    page.wait_for_selector(f"#tick-{signup.pk}")
    page.click(f"#tick-{signup.pk}")  # htmx swaps the list and the head-counts
    page.wait_for_selector(f"#row-{signup.pk}[data-present='1']")
    assert re.search(r"1\s*/\s*1", page.inner_text("#head-counts"))
    assert_fits(page)
    shot(page, "activities-checkin-phone")
    assert Attendance.objects.filter(signup=signup).exists()
    context.close()
