"""A county officer and a city officer open the dashboard in Chromium, drill down, and never see other areas."""

import os
import re

import pytest

from tests.dashboard.conftest import QINSHUI, ZEZHOU, build_dataset, expected_figures
from tests.factories import TEST_PASSWORD
from tests.screenshots import screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}  # iPad Air, portrait


@pytest.fixture
def seeded(transactional_db, regions, programme, today):
    return build_dataset(programme, today=today)


def _shot(page, name):
    screenshot(page, name, "dashboard")


def _sign_in(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/dashboard/")
    assert "/staff/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/staff/dashboard/$"))
    return context, page


def _value(page, figure: str) -> str:
    return page.inner_text(f'[data-figure="{figure}"] .value').strip()


def _charts_drawn(page, expected: int):
    page.wait_for_function(f"document.documentElement.getAttribute('data-charts-ready') === '{expected}'")
    # ECharts draws on canvases inside each chart box
    assert page.locator(".chart canvas").count() >= expected


@pytest.mark.browser
def test_county_officer_sees_her_county_drills_down_and_never_sees_another(
    live_server, browser, seeded, qinshui_officer, today
):
    context, page = _sign_in(browser, live_server, qinshui_officer, DESKTOP)
    # then: her county, its towns, and the figures of the records
    assert "沁水县" in page.inner_text("#region-title")
    expected = expected_figures(QINSHUI, today=today)
    assert _value(page, "registered") == str(expected["registered"])
    assert _value(page, "paired") == str(expected["paired"])
    assert _value(page, "coverage") == f"{expected['coverage']}%"
    assert _value(page, "open_concerns") == str(expected["open_concerns"])
    codes = page.locator("#subregions tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes and all(code.startswith(QINSHUI) for code in codes)
    body = page.inner_text("body")
    assert "泽州" not in body and "晋城市" not in page.inner_text(".breadcrumbs")
    _charts_drawn(page, 3)
    _shot(page, "county-desktop")

    # when: she drills down to a town with children
    town_row = next(
        page.locator(f'#subregions tbody tr[data-code="{code}"]')
        for code in codes
        if page.inner_text(f'#subregions tbody tr[data-code="{code}"] [data-col="registered"]') != "0"
    )
    town_code = town_row.get_attribute("data-code")
    town_name = town_row.locator("td.name a").inner_text()
    town_row.locator("td.name a").click()
    page.wait_for_url(f"**/staff/r/{town_code}/")
    # then: the town's villages, with the town's figures, and a way back up
    assert town_name in page.inner_text("#region-title")
    assert _value(page, "registered") == str(expected_figures(town_code, today=today)["registered"])
    villages = page.locator("#subregions tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert villages and all(len(v) == 12 and v.startswith(town_code) for v in villages)
    assert page.locator(".breadcrumbs a", has_text="沁水县").count() == 1
    _charts_drawn(page, 3)
    _shot(page, "town-desktop")

    # and: a direct address to the neighbouring county, or to the city, is 404
    for code in (ZEZHOU, "1405"):
        response = page.goto(f"{live_server.url}/staff/r/{code}/")
        assert response.status == 404
        assert "泽州" not in page.content()
    response = page.goto(f"{live_server.url}/api/dashboard/regions/{ZEZHOU}/")
    assert response.status == 404
    context.close()


@pytest.mark.browser
def test_city_officer_compares_counties_on_a_tablet_and_drills_into_one(
    live_server, browser, seeded, city_officer, today
):
    context, page = _sign_in(browser, live_server, city_officer, TABLET)
    assert "晋城市" in page.inner_text("#region-title")
    expected = expected_figures("1405", today=today)
    assert _value(page, "registered") == str(expected["registered"])
    for county in (QINSHUI, ZEZHOU):
        row = page.locator(f'#subregions tbody tr[data-code="{county}"]')
        assert row.locator('[data-col="registered"]').inner_text() == str(
            expected_figures(county, today=today)["registered"]
        )
    # the tablet layout does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    _charts_drawn(page, 3)
    _shot(page, "city-tablet")

    page.locator(f'#subregions tbody tr[data-code="{ZEZHOU}"] td.name a').click()
    page.wait_for_url(f"**/staff/r/{ZEZHOU}/")
    assert "泽州县" in page.inner_text("#region-title")
    zezhou = expected_figures(ZEZHOU, today=today)
    assert _value(page, "registered") == str(zezhou["registered"])
    codes = page.locator("#subregions tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes and all(code.startswith(ZEZHOU) for code in codes)
    assert "沁水" not in page.inner_text("#subregions")
    _shot(page, "county-from-city-tablet")

    # the export of the page is one click away
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.startswith(f"dashboard-{ZEZHOU}-")
    context.close()
