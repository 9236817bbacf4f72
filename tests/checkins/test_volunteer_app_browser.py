"""The volunteer's phone app in a real phone browser (Chromium at 360×740 with WeChat's user
agent): the journeys of issue 16's "Done means"."""

import datetime
import re
import time

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from backend.checkins.models import CheckIn
from backend.volunteers.services import volunteer_status_change
from notifications.models import Message
from tests.checkins.factories import PairingFactory
from tests.checkins.test_volunteer_app import WECHAT_UA
from tests.conftest import CHROMIUM
from tests.factories import StaffFactory, outbox_code
from tests.screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(live_server, monkeypatch, tmp_path):
    """Open the phone's browser: a function returning a fresh persistent context on the same profile."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        opened = []

        def open_browser():
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
                viewport={"width": 360, "height": 740},
                is_mobile=True,
                has_touch=True,
                user_agent=WECHAT_UA,
                locale="zh-CN",
                service_workers="allow",
            )
            opened.append(context)
            return context

        yield open_browser
        for context in opened:
            context.close()  # closing twice is harmless


def _her_phone(phone, live_server, user, path="/v/"):
    """Her phone's browser, signed in as ``user``, with ``path`` open; return (browser, tab)."""
    client = Client()
    client.force_login(user)
    browser = phone()
    browser.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = browser.new_page()
    tab.goto(f"{live_server.url}{path}")
    return browser, tab


def test_sign_in_at_2330_gets_the_code_at_once_and_reopening_the_browser_keeps_her_signed_in(
    regions, programme, live_server, phone
):
    pairing = PairingFactory(programme=programme)
    real_now = time.time()  # the browser's clock is not travelled
    # 23:30 in Asia/Shanghai: inside the programme's quiet hours (21:00–08:00)
    with time_machine.travel(
        datetime.datetime(2027, 3, 10, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        browser = phone()
        tab = browser.new_page()
        tab.goto(f"{live_server.url}/v/")
        tab.locator("input[name=phone]").fill(pairing.volunteer.phone.removeprefix("+86"))
        tab.get_by_role("button", name="获取验证码").click()
        tab.locator("input[name=code]").wait_for()
        message = Message.objects.get(recipient=pairing.volunteer.phone, template="phone_code")
        assert message.urgent and message.next_attempt_at <= timezone.now()  # not held until 08:00
        tab.locator("input[name=code]").fill(outbox_code(message))
        tab.get_by_role("button", name="登录").click()
        tab.get_by_role("heading", name=re.compile("您好")).wait_for()
        cookie = next(c for c in browser.cookies() if c["name"] == "sessionid")
        assert cookie["expires"] > real_now + 29 * 24 * 3600  # a lasting cookie, not one for this visit
        browser.close()

        # she closes WeChat and opens it again the next morning: still signed in
        browser = phone()
        tab = browser.new_page()
        tab.goto(f"{live_server.url}/v/")
        assert tab.url == f"{live_server.url}/v/"
        assert pairing.child.given_name in tab.content()


def test_cold_start_without_signal_opens_home_child_page_and_form_and_the_entry_is_sent_once_back_online(
    regions, programme, live_server, phone
):
    pairing = PairingFactory(programme=programme)
    browser, tab = _her_phone(phone, live_server, pairing.volunteer.user)
    tab.locator("body[data-offline-ready]").wait_for(state="attached", timeout=20000)
    tab.close()

    # a cold start with no signal: home, her child's page and the form open from the last copy
    browser.set_offline(True)
    tab = browser.new_page()
    tab.goto(f"{live_server.url}/v/")
    assert tab.locator("#offline-stamp").is_visible()  # "更新于 …": when the copy was made
    assert pairing.child.given_name in tab.content()
    screenshot(tab, "checkins-tap0-home-offline-phone", full_page=False, for_docs=True)
    tab.get_by_role("link", name=pairing.child.given_name).click()
    tab.locator("#contact").wait_for()
    assert tab.locator("#offline-stamp").is_visible()
    tab.go_back()
    # the three taps: child, kind, save
    tab.get_by_role("link", name="记录关爱").click()
    screenshot(tab, "checkins-tap1-kinds-phone", full_page=False, for_docs=True)
    tab.get_by_role("button", name="电话联系").click()
    screenshot(tab, "checkins-tap2-save-phone", full_page=False, for_docs=True)
    tab.get_by_role("button", name="保存").click()
    tab.locator("#kept-on-phone").wait_for(state="visible")
    assert tab.locator("#pending-list li.waiting").count() == 1
    assert "电话联系" in tab.locator("#pending-list").inner_text()  # in words, not phone_call
    screenshot(tab, "checkins-tap3-kept-offline-phone", full_page=False, for_docs=True)
    assert not CheckIn.objects.exists()

    # the signal returns: sent once, and it says so
    browser.set_offline(False)
    tab.evaluate("window.dispatchEvent(new Event('online'))")
    tab.locator("#pending-list li.sent").wait_for()
    assert "已发送" in tab.locator("#pending-list").inner_text()
    tab.goto(f"{live_server.url}/v/")
    tab.locator("#pending-list li.sent").wait_for()
    checkin = CheckIn.objects.get()
    assert (checkin.kind, checkin.children.get()) == ("phone_call", pairing.child)


def test_an_offline_entry_for_a_child_re_paired_meanwhile_is_refused_with_a_clear_message(
    regions, programme, live_server, phone
):
    pairing = PairingFactory(programme=programme)
    browser, tab = _her_phone(
        phone, live_server, pairing.volunteer.user, f"/v/log/?child={pairing.child.pk}&kind=home_visit"
    )
    browser.set_offline(True)
    tab.get_by_role("button", name="保存").click()
    tab.locator("#kept-on-phone").wait_for(state="visible")
    # meanwhile staff end her pairing and pair the child with someone else
    pairing.status, pairing.ended_on, pairing.end_reason = "ended", timezone.localdate(), "moved"
    pairing.save(update_fields=["status", "ended_on", "end_reason"])
    PairingFactory(programme=programme, child=pairing.child)
    browser.set_offline(False)
    tab.evaluate("window.dispatchEvent(new Event('online'))")
    tab.locator("#pending-list li.failed").wait_for()
    assert "已不再与您结对" in tab.locator("#pending-list").inner_text()
    assert not CheckIn.objects.exists()


def test_a_suspended_volunteers_open_session_ends(regions, programme, live_server, phone):
    pairing = PairingFactory(programme=programme)
    browser, tab = _her_phone(phone, live_server, pairing.volunteer.user)
    assert pairing.child.given_name in tab.content()
    officer = StaffFactory(username="county", home_region_id="140521")
    volunteer_status_change(volunteer=pairing.volunteer, status="suspended", by=officer, reason="other", note="暂停")
    tab.reload()
    assert "/v/login/" in tab.url
    status = tab.evaluate("fetch('/api/checkins/', {credentials: 'same-origin'}).then(r => r.status)")
    assert status in (401, 403)


def test_signing_out_clears_what_the_phone_kept(regions, programme, live_server, phone):
    pairing = PairingFactory(programme=programme)
    browser, tab = _her_phone(phone, live_server, pairing.volunteer.user)
    tab.locator("body[data-offline-ready]").wait_for(state="attached", timeout=20000)
    assert tab.evaluate("caches.keys().then(k => k.length)") > 0
    tab.get_by_role("button", name="退出").click()
    tab.wait_for_url(re.compile("/v/login/"))
    tab.get_by_text("本机保存的内容已清除").wait_for()
    assert tab.evaluate("caches.keys().then(k => k.length)") == 0
