"""The offline queue in a real (headless Chromium) phone browser: a check-in made without signal
waits on the phone, is listed as waiting, and is sent once when the connection returns."""

import pytest
from django.test import Client

from backend.checkins.models import CheckIn
from tests.checkins.factories import PairingFactory
from tests.screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; set only for this test, so that
    # the deployment checks other tests run do not see it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        yield context
        browser.close()


def test_a_checkin_without_signal_waits_on_the_phone_and_is_sent_once_online(regions, programme, live_server, page):
    pairing = PairingFactory(programme=programme)
    client = Client()
    client.force_login(pairing.volunteer.user)
    page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = page.new_page()

    # tap 1 and 2 online: the child, then the kind
    tab.goto(f"{live_server.url}/v/")
    tab.get_by_role("link", name="记录关爱").click()
    tab.get_by_role("button", name="电话联系").click()
    # then the signal goes, and she taps save
    page.set_offline(True)
    tab.get_by_role("button", name="保存").click()
    tab.locator("#kept-on-phone").wait_for(state="visible")
    assert tab.locator("#pending-list li.waiting").count() == 1
    screenshot(tab, "checkins-offline-waiting")
    assert not CheckIn.objects.exists()

    # the connection returns: the entry is sent and leaves the waiting list
    page.set_offline(False)
    tab.evaluate("window.dispatchEvent(new Event('online'))")
    tab.locator("#pending-list li.sent").wait_for()  # and it says "已发送"
    checkin = CheckIn.objects.get()
    assert (checkin.kind, checkin.children.get()) == ("phone_call", pairing.child)

    # a resend of the same entry (e.g. the answer was lost) records nothing new
    status = tab.evaluate(
        """([key, child]) => fetch('/api/checkins/', {method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json', 'X-CSRFToken': (document.cookie.match(/csrftoken=([^;]+)/) || [])[1]},
             body: JSON.stringify({children: [child], kind: 'phone_call', client_key: key})}).then(r => r.status)""",
        [checkin.client_key, pairing.child.pk],
    )
    assert status == 200
    assert CheckIn.objects.count() == 1
    tab.goto(f"{live_server.url}/v/")
    assert "电话联系" in tab.content()
    screenshot(tab, "checkins-home-after-sync")
