"""Officers review applications and look after volunteers in Chromium, at 360×740 and 1366×768."""

import pytest

from backend.volunteers.models import Application, Volunteer
from backend.volunteers.services import screening_check_set, screening_items_ensure
from notifications.models import Message
from tests.volunteers.factories import ApplicationFactory
from tests.volunteers.staff.browser import VIEWPORTS, assert_fits, message, open_section, shot, sign_in

JOURNEYS = [(o, v) for o in ("qinshui_officer", "longgang_officer") for v in VIEWPORTS]


@pytest.fixture
def queue(transactional_db, regions, programme, qinshui_officer):
    screening_items_ensure(programme=programme)
    ready = ApplicationFactory(programme=programme, name="李秀英", village_id="140521100001", skills=["psychology"])
    for item in programme.screening_items.all():
        screening_check_set(application=ready, item_code=item.code, done=True, by=qinshui_officer)
    waiting = ApplicationFactory(programme=programme, name="赵小梅", village_id="140521100002")
    ApplicationFactory(programme=programme, name="周敏", village_id="140525100001")  # 泽州县
    return {"ready": ready, "waiting": waiting}


@pytest.mark.browser
@pytest.mark.parametrize(("officer", "viewport"), JOURNEYS)
def test_an_officer_reviews_applications_then_looks_after_the_new_volunteer(
    live_server, browser, queue, officer, viewport, request
):
    user = request.getfixturevalue(officer)
    context, page = sign_in(browser, live_server, user, VIEWPORTS[viewport])

    # the queue: waiting first, in words, never another county's
    open_section(page, "applications_staff:list")
    table = page.inner_text("#applications")
    assert "李秀英" in table and "赵小梅" in table and "周敏" not in table
    assert "心理咨询" in table and "psychology" not in table
    assert_fits(page)
    shot(page, f"applications-{officer}-{viewport}")

    # bulk approval of the complete one, after a confirm page
    page.check(f'input[name="ids"][value="{queue["ready"].pk}"]')
    page.click("#bulk-approve")
    assert "李秀英" in page.inner_text("#ready")
    page.click("#confirm-bulk")
    assert "已批量通过 1 份报名" in message(page)

    # the review page: tick, reject with a reason that goes out by SMS
    page.click(f'tr[data-reference="{queue["waiting"].reference}"] .review-link')
    page.check("#id_check_interview")
    page.check('input[name="action"][value="reject"]')
    page.click("#submit-decision")
    assert page.locator("#error-reason").is_visible()  # the reason is required, beside its field
    page.fill("#id_reason", "暂不符合本项目的选任条件")
    page.click("#submit-decision")
    assert "已记录审核决定" in message(page)
    assert Application.objects.get(pk=queue["waiting"].pk).status == "rejected"
    assert Message.objects.filter(template="application_rejected").exists()

    # the new volunteer: profile, a message from a template, suspension, exit confirmed
    open_section(page, "volunteers_staff:list")
    page.click("#volunteers a:has-text('李秀英')")
    assert "0/2" in page.inner_text("#load")
    assert_fits(page)
    page.check('input[name="template"][value="volunteer_note_training"]')
    page.click("#send-message")
    assert "消息已放入发件箱" in message(page)
    page.select_option("#id_status", "suspended")
    page.select_option("#id_reason", "inactive")
    page.click("#change-status")
    assert "暂停" in page.inner_text("#status")
    page.select_option("#id_status", "ended")
    page.select_option("#id_reason", "own_request")
    page.click("#change-status")
    assert "确认让她退出" in page.inner_text("h1")
    page.click("#confirm-exit")
    assert "已退出" in page.inner_text("#status")
    assert Volunteer.objects.get(name="李秀英").status == "ended"
    shot(page, f"volunteer-{officer}-{viewport}")
    context.close()
