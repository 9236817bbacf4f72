"""The service record's journeys in Chromium at 360×740 and 1366×768: an officer approves a 补录 and issues
a certificate that goes into publicity; the volunteer sees her hours and the certificate on her phone."""

import datetime

import pytest
import time_machine
from django.test import Client

from backend.records import services
from backend.records.models import Certificate, ServiceEntry
from tests.records.conftest import TODAY
from tests.volunteers.staff.browser import PHONE, VIEWPORTS, assert_fits, message, open_section, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _today():
    """The records tests' day, with the clock ticking: a browser waits on real time passing."""
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def ledger(volunteer, second_officer):
    """2.5 approved hours from a check-in, and a 补录 of 2 hours that another officer entered."""
    ServiceEntry.objects.create(
        volunteer=volunteer,
        source="checkin",
        served_on=datetime.date(2027, 2, 1),
        minutes=150,
        content="入户走访",
        status="approved",
    )
    pending = services.service_entry_supplement(
        by=second_officer,
        volunteer=volunteer,
        served_on=datetime.date(2027, 3, 1),
        starts_at=datetime.time(9),
        ends_at=datetime.time(11),
        minutes=120,
        content="寒假关爱活动",
        reason="活动当天未签到",
    )
    return {"pending": pending}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_officer_approves_a_supplement_and_issues_a_certificate(
    live_server, browser, volunteer, ledger, qinshui_officer, viewport
):
    context, page = sign_in(browser, live_server, qinshui_officer, VIEWPORTS[viewport])

    # the record's to-do, from the nav: the 补录 waits, in words
    open_section(page, "records_staff:home")
    pending = page.inner_text("#pending")
    assert volunteer.name in pending and "寒假关爱活动" in pending and "待审核" in pending
    assert_fits(page)
    shot(page, f"records-home-{viewport}")

    # her record: only the approved hours count
    page.click(f"#pending a:has-text('{volunteer.name}')")
    page.wait_for_selector("#approved-hours")
    assert "2.5小时" in page.inner_text("#approved-hours")
    assert_fits(page)

    # approve the 补录: it counts now
    row = page.locator(f'#entries tr[data-entry="{ledger["pending"].pk}"]')
    row.locator('select[name="approve"]').select_option("1")
    row.locator('button[type="submit"]').click()
    assert "已审核" in message(page)
    assert "4.5小时" in page.inner_text("#approved-hours")
    assert ServiceEntry.objects.get(pk=ledger["pending"].pk).status == "approved"

    # issue a certificate for the year so far (confirmed): it goes into its 7-day publicity
    page.fill("#id_period_start", "2027-01-01")
    page.fill("#id_period_end", TODAY.isoformat())
    page.click("#issue-submit")
    assert "证明已出具，公示7天后生效" in message(page)
    certificate = Certificate.objects.get(volunteer=volunteer)
    assert (certificate.status, certificate.minutes) == ("issued", 270)
    assert_fits(page)
    shot(page, f"records-ledger-{viewport}")

    page.click(f"#certificates a:has-text('{certificate.number}')")
    page.wait_for_selector("#status")
    assert "公示中" in page.inner_text("#status")
    assert "4.5小时" in page.inner_text("#facts")
    assert_fits(page)
    shot(page, f"records-certificate-{viewport}")

    # the issuer's public notice lists it with her name masked
    page.click("text=查看公示")
    page.wait_for_selector("#notice")
    notice = page.inner_text("#notice")
    assert certificate.number in notice and "王**" in notice and volunteer.name not in notice
    assert_fits(page)
    shot(page, f"records-notice-{viewport}")
    context.close()


def test_the_volunteer_sees_her_hours_and_certificate_on_her_phone(
    live_server, browser, volunteer, ledger, qinshui_officer, second_officer
):
    # given: the 补录 approved and a certificate issued, in publicity
    services.service_entry_decide(entry=ledger["pending"], by=qinshui_officer, approve=True)
    certificate = services.certificate_issue(
        by=qinshui_officer, volunteer=volunteer, period_start=datetime.date(2027, 1, 1), period_end=TODAY
    )
    client = Client()
    client.force_login(volunteer.user)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()

    # when: from her own page to her record
    page.goto(f"{live_server.url}/v/me/")
    page.click("#service-record")
    page.wait_for_selector("#record-hours")

    # then
    assert "4.5" in page.inner_text("#record-hours")
    certificates = page.inner_text("#certificates")
    assert "已出具" in certificates and "公示至3月22日" in certificates
    assert "下载" not in certificates  # not final before the publicity ends
    assert "寒假关爱活动" in page.inner_text("#entries")
    assert_fits(page)
    shot(page, "records-volunteer-phone")
    assert certificate.in_publicity(TODAY)
    context.close()
