"""Journeys through the workspace in Chromium at 360×740 (phone) and 1366×768 (desktop).

A child director raises an urgent concern from a child's file; the deadline is missed and the
county is told; the town officer (or the county officer) acknowledges, refers and closes it.
A county officer, a town officer and a child director each register a child, edit the file and
open the print view; the county officer also reveals the ID number with a reason (the others
are not offered it).
"""

import datetime
import os
import re

import pytest
from django.utils import timezone

from backend.children.models import Child, Concern
from tests.children.factories import ChildFactory, child_values
from tests.factories import TEST_PASSWORD, ChildDirectorFactory, StaffFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
SIZES = [pytest.param(PHONE, id="360x740"), pytest.param(DESKTOP, id="1366x768")]


def _sign_in(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # destructive actions confirm
    page.goto(f"{live_server.url}/staff/")
    assert "/staff/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/staff/$"))
    return context, page


def _open_section(page, name: str, viewport):
    """Open a section from the nav; on a phone the nav is folded under 菜单 first."""
    nav = page.locator("#ws-nav")
    if viewport is PHONE:
        assert not nav.is_visible()
        page.click("[data-nav-toggle]")
    assert nav.is_visible()
    page.click(f'#ws-nav a[data-nav="{name}"]')


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.parametrize("handler", ["town", "county"])
@pytest.mark.parametrize("viewport", SIZES)
def test_concern_raise_escalate_acknowledge_refer_close(
    live_server, browser, transactional_db, regions, viewport, handler
):
    from backend.children.services import concern_escalate, concern_escalations_dispatch
    from notifications.models import Message

    director = ChildDirectorFactory(username="j-director", village_codes=["140521100001"])
    town = StaffFactory(username="j-town", home_region_id="140521100")
    county = StaffFactory(username="j-county", home_region_id="140521", phone="+8613900000777")
    child = ChildFactory()

    # a child director raises an urgent concern from the child's file
    context, page = _sign_in(browser, live_server, director, viewport)
    _open_section(page, "children_staff:list", viewport)
    page.click(f'tr[data-child="{child.pk}"] a')
    page.click("#concern-raise")
    page.click("#concern-submit")  # empty: errors beside the fields
    assert page.locator("#error-description").is_visible()
    page.select_option("#id_severity", "urgent")
    page.select_option("#id_category", "neglect")
    page.fill("#id_description", "祖父住院，孩子独自在家")
    page.click("#concern-submit")
    page.wait_for_url(re.compile(r".*/staff/concerns/\d+/$"))
    assert "紧急" in page.inner_text("#concern-title")
    _no_horizontal_scroll(page)
    context.close()
    concern = Concern.objects.get()

    # 25 hours pass and nobody acknowledges: the county is told through the outbox
    late = timezone.now() + datetime.timedelta(hours=25)
    for escalation_id in concern_escalations_dispatch(now=late):
        concern_escalate(escalation_id=escalation_id, now=late)
    assert Message.objects.filter(template="children.concern_escalated", recipient=county.phone).exists()

    # the town (or county) officer finds it on her to-do home, marked overdue, and handles it
    context, page = _sign_in(browser, live_server, town if handler == "town" else county, viewport)
    assert concern.reference in page.inner_text("#todo-concerns")
    page.click(f'#todo-concerns a[href="/staff/concerns/{concern.pk}/"]')
    assert "超时上报上级" in page.inner_text("#concern-history")
    page.click("#do-acknowledge")
    page.wait_for_selector("#ws-messages")
    page.select_option("#id_refer_referred_to", "social_work")
    page.fill("#id_refer_note", "约社工站周三家访")
    page.click("#do-refer")
    page.wait_for_selector("#ws-messages")
    page.select_option("#id_close_outcome", "referred")
    page.fill("#id_close_note", "照料已恢复")
    page.click("#do-close")  # confirmed in the dialog
    page.wait_for_selector("#ws-messages")
    history = page.inner_text("#concern-history")
    for step in ("报告", "超时上报上级", "受理", "转介", "社工站", "办结"):
        assert step in history
    assert page.inner_text("#concern-status") == "已办结"
    _no_horizontal_scroll(page)
    context.close()
    assert Concern.objects.get().status == "closed"


def _officer(role: str):
    if role == "director":
        return ChildDirectorFactory(username="j-director2", village_codes=["140521100001"])
    return StaffFactory(username=f"j-{role}2", home_region_id={"county": "140521", "town": "140521100"}[role])


@pytest.mark.browser
@pytest.mark.parametrize("role", ["county", "town", "director"])
@pytest.mark.parametrize("viewport", SIZES)
def test_child_create_edit_reveal_print(live_server, browser, transactional_db, regions, viewport, role):
    officer = _officer(role)
    values = child_values()
    context, page = _sign_in(browser, live_server, officer, viewport)
    _open_section(page, "children_staff:list", viewport)
    page.click("#child-create")
    page.fill("#id_family_name", values["family_name"])
    page.fill("#id_given_name", values["given_name"])
    page.fill("#id_id_number", values["id_number"][:-1] + ("0" if values["id_number"][-1] != "0" else "1"))
    page.select_option("#id_village_id", values["village_id"])
    page.select_option("#id_category", "left_behind")
    page.fill("#id_guardian_name", values["guardian_name"])
    page.select_option("#id_guardian_relation", "grandparent")
    page.check('input[name="needs"][value="study"]')
    page.fill("#id_consent_given_by", values["consent_given_by"])
    page.fill("#id_consent_given_on", values["consent_given_on"].isoformat())
    page.click("#child-save")
    # a wrong checksum: the error stands beside the ID number, nothing is saved
    assert page.locator("#error-id_number").is_visible()
    assert not Child.objects.exists()
    page.fill("#id_id_number", values["id_number"])
    page.click("#child-save")
    page.wait_for_url(re.compile(r".*/staff/children/\d+/$"))
    child = Child.objects.get()
    assert "学业辅导" in page.inner_text("#file-needs")
    assert child.id_number not in page.inner_text("body")
    _no_horizontal_scroll(page)

    page.click("#child-edit")
    page.fill("#id_school", "龙港镇中心小学")
    page.click("#child-save")
    page.wait_for_url(re.compile(rf".*/staff/children/{child.pk}/$"))
    assert "龙港镇中心小学" in page.inner_text("#file-history")

    if role == "county":
        page.click("#reveal-open")
        page.fill("#id_reason", "核对低保申请材料")
        page.click("#reveal-submit")
        assert page.inner_text("#revealed-id") == child.id_number
    else:
        assert page.locator("#reveal-open").count() == 0

    page.click("#child-print")
    assert "一人一档" in page.inner_text("#print-title")
    page.emulate_media(media="print")
    assert not page.locator("#ws-nav").is_visible()
    context.close()
