"""Helpers of the workspace journeys in Chromium: sign in, open a section from the nav, check the width."""

import os
import re

from tests.factories import TEST_PASSWORD
from tests.screenshots import screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def sign_in(browser, live_server, user, viewport):
    """Sign in at /staff/login/ and land on the to-do home."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks; the officer says yes
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/staff/$"))
    return context, page


def open_section(page, url_name: str):
    """Open a section from the nav (unfolding it under 菜单 on a phone)."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.click(f'#ws-nav a[data-nav="{url_name}"]')
    page.wait_for_load_state()


def assert_fits(page):
    """The page does not scroll sideways: tables wrap or stack, the nav folds."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{page.url} is {width}px wide"


def shot(page, name: str):
    screenshot(page, name, "workspace")


def message(page) -> str:
    return page.inner_text("#ws-messages")
