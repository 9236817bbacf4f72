"""The children's and concerns' pages of the workspace: scoped, audited, in words, errors beside fields."""

import datetime

import pytest

from backend.audit.models import AuditEvent
from backend.children.models import Child, Concern
from backend.children.services import concern_raise
from tests.children.factories import ChildFactory, child_values

pytestmark = pytest.mark.django_db


def _form(values: dict) -> dict:
    data = {k: v for k, v in values.items() if v is not None}
    for key, value in list(data.items()):
        if isinstance(value, datetime.date):
            data[key] = value.isoformat()
    data.setdefault("risk_level", "low")
    data.setdefault("volunteers_wanted", 1)
    return data


def test_the_list_shows_her_region_in_words_and_audits_what_it_shows(client, longgang_officer):
    mine = ChildFactory(needs=["psychological"], category="in_difficulty", difficulty_subtype="orphan")
    ChildFactory(village_id="140525100001")  # 泽州
    client.force_login(longgang_officer)
    page = client.get("/staff/children/")
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert mine.full_name in html and "困境儿童（孤儿）" in html
    assert "in_difficulty" not in html.replace('value="in_difficulty"', "")
    assert html.count('data-child="') == 1
    event = AuditEvent.objects.get(action="list")
    assert event.object_ids == [str(mine.pk)]


def test_filters_stay_in_the_query_string_and_pages_have_50_rows(client, qinshui_officer):
    for _ in range(52):
        ChildFactory(risk_level="high")
    ChildFactory(risk_level="low")
    client.force_login(qinshui_officer)
    html = client.get("/staff/children/?risk_level=high").content.decode()
    assert html.count('data-child="') == 50
    assert "risk_level=high&amp;page=2" in html
    assert client.get("/staff/children/?risk_level=high&page=2").content.decode().count('data-child="') == 2
    # an unknown filter value is ignored, never a 500
    assert client.get("/staff/children/?risk_level=%E6%9E%81&region=99").status_code == 200


def test_create_with_the_existing_validation_errors_beside_the_field(client, longgang_officer):
    client.force_login(longgang_officer)
    bad = _form(child_values(id_number="140521201001011230"))
    page = client.post("/staff/children/new/", bad)
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="error-id_number"' in html
    assert not Child.objects.exists()
    no_consent = _form(child_values(consent_given_by="", consent_given_on=None, consent_relation=""))
    html = client.post("/staff/children/new/", no_consent).content.decode()
    assert 'id="error-consent_given_by"' in html
    response = client.post("/staff/children/new/", _form(child_values()))
    child = Child.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/children/{child.pk}/"


def test_a_village_outside_her_region_is_not_offered_nor_accepted(client, longgang_officer):
    client.force_login(longgang_officer)
    html = client.get("/staff/children/new/").content.decode()
    assert "140521100001" in html and "140525" not in html
    page = client.post("/staff/children/new/", _form(child_values(village_id="140525100001")))
    assert 'id="error-village_id"' in page.content.decode()
    assert not Child.objects.exists()


def test_edit_records_the_change_and_the_file_shows_who_what_when(client, longgang_officer):
    child = ChildFactory()
    client.force_login(longgang_officer)
    form = client.get(f"/staff/children/{child.pk}/edit/").content.decode()
    assert child.id_number not in form  # the full number is never put in the form
    values = _form({**child_values(), "family_name": child.family_name, "given_name": child.given_name})
    values.pop("id_number")
    values["school"] = "龙港镇中心小学"
    assert client.post(f"/staff/children/{child.pk}/edit/", values).status_code == 302
    html = client.get(f"/staff/children/{child.pk}/").content.decode()
    assert "龙港镇中心小学" in html and "学校" in html and longgang_officer.display_name in html
    assert child.id_number not in html and child.id_number_masked in html


def test_file_of_another_county_is_404(client, zezhou_officer):
    child = ChildFactory()
    client.force_login(zezhou_officer)
    for url in ("", "edit/", "print/", "concerns/new/"):
        assert client.get(f"/staff/children/{child.pk}/{url}").status_code == 404
    assert client.post(f"/staff/children/{child.pk}/reveal/", {"reason": "x"}).status_code == 404


def test_reveal_asks_a_reason_is_audited_and_only_for_county_staff(client, qinshui_officer, longgang_officer):
    child = ChildFactory()
    client.force_login(qinshui_officer)
    assert client.post(f"/staff/children/{child.pk}/reveal/", {"reason": ""}).status_code == 400
    html = client.post(f"/staff/children/{child.pk}/reveal/", {"reason": "核对低保材料"}).content.decode()
    assert child.id_number in html
    event = AuditEvent.objects.get(action="reveal")
    assert event.object_ids == [str(child.pk)] and "核对低保材料" in event.detail
    client.force_login(longgang_officer)
    assert "reveal-open" not in client.get(f"/staff/children/{child.pk}/").content.decode()
    assert client.post(f"/staff/children/{child.pk}/reveal/", {"reason": "x"}).status_code == 403


def test_print_view_is_the_file_in_chinese_and_audited(client, longgang_officer):
    child = ChildFactory()
    client.force_login(longgang_officer)
    html = client.get(f"/staff/children/{child.pk}/print/").content.decode()
    assert "一人一档" in html and child.full_name in html and "data-print" in html
    assert AuditEvent.objects.filter(action="view", detail="workspace print").exists()


def test_export_is_what_the_list_shows_for_her_region(client, qinshui_officer):
    from io import BytesIO

    from openpyxl import load_workbook

    ChildFactory(village_id="140521100001")
    ChildFactory(village_id="140521100001", risk_level="high")
    ChildFactory(village_id="140525100001")
    client.force_login(qinshui_officer)
    response = client.get("/staff/children/export.xlsx?risk_level=high")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 3  # title, headings, the one high-risk child
    assert AuditEvent.objects.filter(action="export").exists()


def test_the_ledger_of_a_town_page_exports_the_town_not_the_county(client, qinshui_officer):
    from io import BytesIO

    from openpyxl import load_workbook

    ChildFactory(village_id="140521100001")  # 龙港镇
    ChildFactory(village_id="140521101200")  # another town of 沁水
    client.force_login(qinshui_officer)
    response = client.get("/api/children/ledger.xlsx?region=140521100")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert client.get("/api/children/ledger.xlsx?region=140525").status_code == 404
    page = client.get("/staff/r/140521100/").content.decode()
    assert "/api/children/ledger.xlsx?region=140521100" in page


def test_concern_journey_raise_acknowledge_refer_close_on_the_pages(client, liuzhuang_director, longgang_officer):
    child = ChildFactory()
    client.force_login(liuzhuang_director)
    bad = client.post(f"/staff/children/{child.pk}/concerns/new/", {"severity": "urgent", "category": "neglect"})
    assert 'id="error-description"' in bad.content.decode()
    response = client.post(
        f"/staff/children/{child.pk}/concerns/new/",
        {"severity": "urgent", "category": "neglect", "description": "奶奶住院，孩子独自在家"},
    )
    concern = Concern.objects.get()
    assert response["Location"] == f"/staff/concerns/{concern.pk}/"
    client.force_login(longgang_officer)
    listing = client.get("/staff/concerns/").content.decode()
    assert concern.reference in listing and "紧急" in listing and "疏于照料" in listing
    base = f"/staff/concerns/{concern.pk}"
    assert client.post(f"{base}/acknowledge/", {"note": "已电话联系"}).status_code == 302
    bad = client.post(f"{base}/refer/", {"referred_to": "", "note": ""})
    assert bad.status_code == 400 and 'id="error-referred_to"' in bad.content.decode()
    assert client.post(f"{base}/refer/", {"referred_to": "social_work", "note": "社工周三家访"}).status_code == 302
    assert client.post(f"{base}/follow-up/", {"note": "已家访"}).status_code == 302
    assert client.post(f"{base}/close/", {"outcome": "referred", "note": "照料恢复"}).status_code == 302
    html = client.get(f"{base}/").content.decode()
    for words in ("报告", "受理", "转介", "社工站", "跟进", "办结", "已转介有关部门处理"):
        assert words in html
    assert client.post(f"{base}/nonsense/", {}).status_code == 404


def test_concern_of_another_county_is_404(client, liuzhuang_director, zezhou_officer):
    concern = concern_raise(
        child=ChildFactory(), raised_by=liuzhuang_director, severity="low", category="other", description="x"
    )
    client.force_login(zezhou_officer)
    assert client.get(f"/staff/concerns/{concern.pk}/").status_code == 404
    assert client.post(f"/staff/concerns/{concern.pk}/acknowledge/", {}).status_code == 404
    assert Concern.objects.get().status == "open"
