"""The staff page and its Excel export."""

import io

import pytest
from openpyxl import load_workbook

from backend.audit.models import AuditEvent
from backend.regions.models import Region
from tests.dashboard.conftest import QINSHUI, ZEZHOU, expected_figures

pytestmark = pytest.mark.django_db


def test_county_page_lists_its_towns_with_drill_down_links_and_no_other_county(client, qinshui_officer, dataset, today):
    client.force_login(qinshui_officer)
    response = client.get("/staff/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = expected_figures(QINSHUI, today=today)
    assert f'<div class="value">{expected["registered"]}</div>' in html
    for town in Region.objects.filter(parent_id=QINSHUI):
        assert f'href="/staff/r/{town.code}/"' in html
    assert "泽州" not in html
    assert f'data-code="{ZEZHOU}' not in html
    assert f"/staff/r/{ZEZHOU}" not in html
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="dashboard-data"' in html


def test_page_cells_match_the_records(client, city_officer, dataset, today):
    client.force_login(city_officer)
    response = client.get(f"/staff/r/{QINSHUI}/")
    rows = {r.code: r for r in response.context["rows"]}
    for code, row in rows.items():
        expected = expected_figures(code, today=today)
        assert row.registered == expected["registered"]
        assert row.paired == expected["paired"]
        assert row.coverage == expected["coverage"]
        assert row.open_concerns == expected["open_concerns"]
    assert [c.code for c in response.context["breadcrumbs"]] == ["1405", QINSHUI]


def test_export_has_one_sheet_per_table_with_the_same_figures_and_is_audited(client, qinshui_officer, dataset, today):
    client.force_login(qinshui_officer)
    response = client.get("/staff/dashboard/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "分区域统计",
        "每月关爱记录",
        "爱心妈妈负荷",
        "未结对儿童",
        "逾期结对",
        "60天无关爱记录的爱心妈妈",
        "未办结关注事项",
        "每月关爱活动",
        "各区划每月关爱活动",
    ]
    ws = wb["分区域统计"]
    header = [c.value for c in ws[1]]
    body = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)}
    for code, row in body.items():
        expected = expected_figures(code, today=today)
        assert row["在册儿童"] == expected["registered"]
        assert row["已结对"] == expected["paired"]
        assert row["逾期结对"] == expected["overdue"]
        assert row["待审核报名"] == expected["applications_waiting"]
    assert QINSHUI in body  # the total row
    assert not any(str(code).startswith(ZEZHOU) for code in body)
    unpaired = list(wb["未结对儿童"].iter_rows(min_row=2, values_only=True))
    assert len(unpaired) == expected_figures(QINSHUI, today=today)["unpaired"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == qinshui_officer and event.object_type == "children.child"
    assert event.region_code.startswith(QINSHUI)
    # Issue 15: every child the workbook names, not only the unpaired ones.
    from backend.dashboard.selectors import dashboard_children_shown, dashboard_data, dashboard_region

    data = dashboard_data(region=dashboard_region(user=qinshui_officer, code=None), today=today, full_lists=True)
    shown = {str(pk) for pk, _code in dashboard_children_shown(data)}
    assert set(event.object_ids) == shown and set(str(r[0]) for r in unpaired) <= shown
    assert len(shown) > len(unpaired)


def test_lists_mask_names_and_phones(client, qinshui_officer, dataset):
    client.force_login(qinshui_officer)
    data = client.get("/api/dashboard/").json()
    for row in data["lists"]["unpaired"]["rows"]:
        assert row["name"].startswith("王") and set(row["name"][1:]) == {"*"}
    for row in data["lists"]["lapsed_volunteers"]["rows"] + data["lists"]["lapsed_pairings"]["rows"]:
        assert "****" in row["phone"]
    ages = [r["age_days"] for r in data["lists"]["open_concerns"]["rows"]]
    assert ages == sorted(ages, reverse=True)


def test_admin_index_links_to_the_dashboard(client, qinshui_officer):
    client.force_login(qinshui_officer)
    html = client.get("/admin/").content.decode()
    assert 'href="/staff/"' in html
