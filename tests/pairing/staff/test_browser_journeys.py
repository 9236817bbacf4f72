"""Officers pair in Chromium at 360×740 and 1366×768: a run, its proposals, pairings, pairing by hand."""

import pytest
from celery.contrib.testing.worker import start_worker

from celery_app import app
from pairing.models import Pairing, Proposal
from tests.children.factories import ChildFactory
from tests.volunteers.factories import VolunteerFactory
from tests.volunteers.staff.browser import VIEWPORTS, assert_fits, message, open_section, shot, sign_in

JOURNEYS = [(o, v) for o in ("qinshui_officer", "longgang_officer") for v in VIEWPORTS]


@pytest.fixture
def people(transactional_db, regions, programme):
    ChildFactory(village_id="140521100001", family_name="张", given_name="小红", needs=["psychological"])
    ChildFactory(village_id="140521100002", family_name="李", given_name="小明")
    ChildFactory(village_id="140525100001", family_name="周", given_name="小刚")  # 泽州县
    VolunteerFactory(programme=programme, village_id="140521100001", name="王丽", skills=["psychology"], capacity=2)
    VolunteerFactory(programme=programme, village_id="140521100002", name="陈芳", capacity=2)
    return programme


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.parametrize(("officer", "viewport"), JOURNEYS)
def test_an_officer_runs_pairing_decides_proposals_and_looks_after_pairings(
    live_server, browser, people, officer, viewport, request
):
    user = request.getfixturevalue(officer)
    context, page = sign_in(browser, live_server, user, VIEWPORTS[viewport])
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        # start a run over her own region and watch it finish (htmx polls the progress)
        open_section(page, "pairing_staff:home")
        page.click("#start-run")
        page.wait_for_selector("#run-proposals", timeout=60_000)
    assert "100%" in page.inner_text("#coverage")
    assert "{" not in page.inner_text("#run-result")
    assert_fits(page)
    shot(page, f"run-{officer}-{viewport}")

    # its proposals, with reasons and score in words
    page.click("#run-proposals")
    table = page.inner_text("#proposals")
    assert "张小红" in table and "李小明" in table and "小刚" not in table
    assert "同村" in table and "匹配分" in table
    assert_fits(page)

    # change one proposal's volunteer, then approve it
    page.click("#proposals a:has-text('李小明')")
    page.select_option("#id_volunteer", label="王丽（柳庄社区居委会）")
    page.click("#edit-proposal")
    assert "已改为王丽" in message(page)
    page.click("#approve-proposal")
    assert "已批准" in message(page)

    # reject the other with a reason (confirmed)
    page.click("#proposals a:has-text('张小红')")
    page.fill("#id_reason", "家长希望由同校老师结对")
    page.click("#reject-proposal")
    assert "已驳回" in message(page)
    assert Proposal.objects.filter(status="rejected").count() == 1

    # the pairing: pause, resume, end with a reason on a confirm page
    page.click("#tab-pairings")
    page.click("#pairings a:has-text('李小明')")
    page.click("#pause")
    assert "暂停" in page.inner_text("#status")
    page.click("#resume")
    assert "关爱中" in page.inner_text("#status")
    page.select_option("#id_reason", "moved")
    page.check("#id_do_not_pair_again")
    page.click("#end-pairing")
    page.click("#confirm-end")
    assert "已结束" in page.inner_text("#status")

    # pair by hand: the rejected proposal's child with 陈芳
    page.click("#tab-new")
    page.select_option("#id_child", label=_option(page, "#id_child", "张小红"))
    page.select_option("#id_volunteer", label=_option(page, "#id_volunteer", "陈芳"))
    page.click("#create-pairing")
    assert "结对已建立" in message(page)
    assert Pairing.objects.filter(child__given_name="小红", volunteer__name="陈芳", status="active").exists()
    assert_fits(page)
    shot(page, f"pairing-{officer}-{viewport}")
    context.close()


def _option(page, select: str, text: str) -> str:
    """Return the label of the option of a select that names ``text``."""
    return next(o.strip() for o in page.locator(f"{select} option").all_inner_texts() if text in o)
