"""The record's workspace pages and her /v/record/ page: forms, errors beside fields, bulk approval, export."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from backend.audit.models import AuditEvent
from backend.records.models import Certificate, ServiceEntry
from tests.records.conftest import TODAY

pytestmark = pytest.mark.django_db


def _pending(volunteer, by, *, day=TODAY, minutes=60):
    return ServiceEntry.objects.create(
        volunteer=volunteer,
        source="staff",
        served_on=day,
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
        minutes=minutes,
        content="=HYPERLINK(1)",
        reason="补签",
        status="pending",
        entered_by=by,
    )


def test_supplement_form_shows_the_error_beside_the_field(client, volunteer, qinshui_officer):
    client.force_login(qinshui_officer)
    response = client.post(
        f"/staff/records/volunteers/{volunteer.pk}/supplement/",
        {
            "served_on": TODAY.isoformat(),
            "starts_at": "09:00",
            "ends_at": "10:00",
            "minutes": "90",
            "content": "关爱活动",
            "reason": "补签",
        },
    )
    assert response.status_code == 400
    assert 'id="error-minutes"' in response.content.decode()
    assert not ServiceEntry.objects.exists()
    ok = client.post(
        f"/staff/records/volunteers/{volunteer.pk}/supplement/",
        {
            "served_on": TODAY.isoformat(),
            "starts_at": "09:00",
            "ends_at": "10:00",
            "minutes": "60",
            "content": "关爱活动",
            "reason": "补签",
        },
    )
    assert ok.status_code == 302
    assert ServiceEntry.objects.get().status == "pending"


def test_ledger_of_a_volunteer_elsewhere_is_not_found(client, volunteer, zezhou_officer):
    client.force_login(zezhou_officer)
    assert client.get(f"/staff/records/volunteers/{volunteer.pk}/").status_code == 404


def test_bulk_approve_confirms_first_then_approves(client, volunteer, qinshui_officer, second_officer):
    entries = [_pending(volunteer, qinshui_officer, day=TODAY - datetime.timedelta(days=d)) for d in range(2)]
    client.force_login(second_officer)
    home = client.get("/staff/records/")
    assert home.status_code == 200 and volunteer.name in home.content.decode()
    ids = [e.pk for e in entries]
    confirm = client.post("/staff/records/entries/bulk-approve/", {"ids": ids})
    assert confirm.status_code == 200 and "确认通过" in confirm.content.decode()
    assert ServiceEntry.objects.filter(status="pending").count() == 2
    done = client.post("/staff/records/entries/bulk-approve/", {"ids": ids, "confirmed": "on"})
    assert done.status_code == 302
    assert ServiceEntry.objects.filter(status="approved").count() == 2


def test_export_has_one_row_per_entry_masked_below_county_and_formula_safe(
    client, volunteer, qinshui_officer, longgang_officer
):
    entry = _pending(volunteer, longgang_officer)
    ServiceEntry.objects.filter(pk=entry.pk).update(status="approved")
    for officer, full in ((qinshui_officer, True), (longgang_officer, False)):
        client.force_login(officer)
        before = AuditEvent.objects.filter(action="export").count()
        response = client.get("/staff/records/export.xlsx")
        assert response.status_code == 200
        assert AuditEvent.objects.filter(action="export").count() == before + 1
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("志愿者姓名", "证件类型", "证件号码")
        assert len(rows) == 2
        assert rows[1][0] == "王𠮷芳"
        assert rows[1][2] == (volunteer.id_number if full else volunteer.id_number_masked)
        assert rows[1][8] == "'=HYPERLINK(1)"


def test_her_record_page_shows_hours_and_takes_a_certificate_request(client, volunteer):
    ServiceEntry.objects.create(
        volunteer=volunteer, source="checkin", served_on=TODAY, minutes=120, content="入户走访", status="approved"
    )
    client.force_login(volunteer.user)
    page = client.get("/v/record/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert "2.0" in page.content.decode()
    assert "/v/record/" in client.get("/v/me/").content.decode()
    bad = client.post("/v/record/", {"period_start": "2027-03-20", "period_end": "2027-03-01"})
    assert bad.status_code == 400 and 'id="error-period_end"' in bad.content.decode()
    ok = client.post("/v/record/", {"period_start": "2027-01-01", "period_end": "2027-03-15"})
    assert ok.status_code == 302
    assert Certificate.objects.get(volunteer=volunteer).status == "requested"


def test_staff_pages_render(client, volunteer, qinshui_officer, longgang_officer):
    ServiceEntry.objects.create(
        volunteer=volunteer, source="checkin", served_on=TODAY, minutes=120, content="入户走访", status="approved"
    )
    client.force_login(longgang_officer)
    for url in (
        f"/staff/records/volunteers/{volunteer.pk}/",
        "/staff/records/nominations/",
        "/staff/records/certificates/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        f"/staff/records/volunteers/{volunteer.pk}/nominate/",
        {"title": "优秀爱心妈妈", "year": "2027", "awarding_region": "140521", "statement": "坚持走访"},
    )
    assert response.status_code == 302
    client.force_login(qinshui_officer)
    page = client.get("/staff/records/nominations/").content.decode()
    assert "优秀爱心妈妈" in page and "2.0小时" in page


PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_the_issuer_page_sets_her_federations_people_contact_and_seal(
    client, qinshui_officer, longgang_officer, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.records.models import Issuer

    settings.MEDIA_ROOT = tmp_path
    client.force_login(qinshui_officer)
    page = client.get("/staff/records/issuer/")
    assert page.status_code == 200 and "沁水县妇女联合会" in page.content.decode()
    values = {
        "name": "沁水县妇女联合会",
        "responsible_person": "李主席",
        "handler": "赵干事",
        "contact": "0356-1234567",
    }
    # not an image: refused beside the field, nothing saved
    bad = client.post("/staff/records/issuer/", {**values, "seal": SimpleUploadedFile("seal.png.html", b"<html>")})
    assert bad.status_code == 400 and 'id="error-seal"' in bad.content.decode()
    assert Issuer.objects.get(region_id="140521").responsible_person == ""
    assert client.post("/staff/records/issuer/", {**values, "name": " "}).status_code == 400
    done = client.post("/staff/records/issuer/", {**values, "seal": SimpleUploadedFile("印章.png", PNG_1PX)})
    assert done.status_code == 302
    issuer = Issuer.objects.get(region_id="140521")
    assert (issuer.responsible_person, issuer.handler, issuer.contact) == ("李主席", "赵干事", "0356-1234567")
    assert issuer.seal.name.endswith(".png") and "印章" not in issuer.seal.name
    # a town officer edits her own town's issuer, never the county's
    client.force_login(longgang_officer)
    client.post("/staff/records/issuer/", {**values, "name": "龙港镇妇联", "responsible_person": "王主任"})
    assert Issuer.objects.get(region_id="140521").responsible_person == "李主席"
    assert Issuer.objects.get(region_id="140521100").responsible_person == "王主任"
