"""Certificates: numbers per issuer, publicity, revocation, the PDF's four blocks and the verification page."""

import datetime
import re
import subprocess
import threading
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection

from backend.ops.errors import ServiceError
from backend.records import services
from backend.records.certificate_pdf import (
    certificate_css_font_stack,
    certificate_pdf,
    verification_code,
    verification_url,
)
from backend.records.models import Certificate, Issuer, ServiceEntry
from tests.records.conftest import TODAY
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def _approved(volunteer, *, minutes=150, day=TODAY - datetime.timedelta(days=30), content="入户走访"):
    return ServiceEntry.objects.create(
        volunteer=volunteer, source="checkin", served_on=day, minutes=minutes, content=content, status="approved"
    )


def _issue(by, volunteer):
    return services.certificate_issue(
        by=by, volunteer=volunteer, period_start=datetime.date(2027, 1, 1), period_end=TODAY
    )


def test_numbers_are_sequential_per_issuer(volunteer, qinshui_officer, zezhou_officer):
    _approved(volunteer)
    other = VolunteerFactory(programme=volunteer.programme, village_id="140525100001")
    _approved(other)
    first, second = _issue(qinshui_officer, volunteer), _issue(qinshui_officer, volunteer)
    elsewhere = _issue(zezhou_officer, other)
    assert (first.number, second.number) == ("140521-2027-000001", "140521-2027-000002")
    assert elsewhere.number == "140525-2027-000001"
    assert first.minutes == 150 and first.content == "入户走访1次"


def test_unapproved_hours_are_not_certified(volunteer, qinshui_officer):
    ServiceEntry.objects.create(
        volunteer=volunteer, source="checkin", served_on=TODAY, minutes=60, content="电话联系", status="pending"
    )
    with pytest.raises(ServiceError, match="没有已确认"):
        _issue(qinshui_officer, volunteer)


def test_a_volunteers_request_is_issued_on_approval_or_declined(volunteer, qinshui_officer):
    _approved(volunteer)
    requested = services.certificate_request(
        volunteer=volunteer, period_start=datetime.date(2027, 1, 1), period_end=TODAY, note="入学材料"
    )
    assert requested.status == "requested" and requested.number is None
    with pytest.raises(ServiceError, match="审核中"):
        services.certificate_request(volunteer=volunteer, period_start=datetime.date(2027, 1, 1), period_end=TODAY)
    issued = services.certificate_decide(certificate=requested, by=qinshui_officer, approve=True)
    assert issued.status == "issued" and issued.number


def test_publicity_lasts_seven_days_then_the_certificate_stands(volunteer, qinshui_officer):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    assert certificate.in_publicity(TODAY + datetime.timedelta(days=6))
    assert not certificate.is_final(TODAY + datetime.timedelta(days=6))
    assert certificate.is_final(TODAY + datetime.timedelta(days=7))


def test_the_final_download_waits_for_publicity(client, volunteer, qinshui_officer):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    client.force_login(qinshui_officer)
    url = f"/staff/records/certificates/{certificate.pk}/certificate.pdf"
    response = client.get(url)
    assert response.status_code == 409
    assert "公示" in response.content.decode()
    client.force_login(volunteer.user)
    assert client.get(f"/v/record/certificates/{certificate.pk}/certificate.pdf").status_code == 409
    with time_machine.travel(datetime.datetime(2027, 3, 23, 10, tzinfo=datetime.UTC), tick=False):
        response = client.get(f"/v/record/certificates/{certificate.pk}/certificate.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        client.force_login(qinshui_officer)
        assert client.get(url).content.startswith(b"%PDF")


def test_revocation_needs_a_reason_and_shows_on_verification(client, volunteer, qinshui_officer):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    with pytest.raises(ServiceError):
        services.certificate_revoke(certificate=certificate, by=qinshui_officer, reason=" ")
    services.certificate_revoke(certificate=certificate, by=qinshui_officer, reason="时长录入有误")
    response = client.get(f"/records/verify/?n={certificate.number}&c={verification_code(certificate.number)}")
    assert response.status_code == 200
    assert 'data-state="revoked"' in response.content.decode()


def test_verification_of_valid_and_forged_numbers(client, volunteer, qinshui_officer):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    query = parse_qs(urlparse(verification_url(certificate)).query)
    with time_machine.travel(datetime.datetime(2027, 3, 23, 10, tzinfo=datetime.UTC), tick=False):
        page = client.get("/records/verify/", {"n": query["n"][0], "c": query["c"][0]}).content.decode()
    assert 'data-state="valid"' in page
    assert "王**" in page and "王𠮷芳" not in page
    assert "2.5小时" in page
    assert volunteer.id_number not in page and volunteer.id_number[-4:] not in page
    # a forged (sequential, guessable) number without its check code is unknown
    forged = client.get("/records/verify/", {"n": "140521-2027-000002", "c": "ABCDEF0123"})
    assert forged.status_code == 404 and 'data-state="unknown"' in forged.content.decode()
    wrong_code = client.get("/records/verify/", {"n": certificate.number, "c": "0000000000"})
    assert 'data-state="unknown"' in wrong_code.content.decode()


def test_the_public_notice_lists_certificates_in_publicity_with_masked_names(client, volunteer, qinshui_officer):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    page = client.get("/records/notice/140521/").content.decode()
    assert certificate.number in page and "王**" in page and "王𠮷芳" not in page
    with time_machine.travel(datetime.datetime(2027, 3, 23, 10, tzinfo=datetime.UTC), tick=False):
        assert certificate.number not in client.get("/records/notice/140521/").content.decode()
    assert client.get("/records/notice/999999/").status_code == 404


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_the_pdf_has_the_four_blocks_the_number_and_the_hours(volunteer, qinshui_officer, tmp_path):
    _approved(volunteer, minutes=90, content="入户走访")
    _approved(volunteer, minutes=60, content="电话联系", day=TODAY - datetime.timedelta(days=3))
    Issuer.objects.filter(region_id="140521").update(
        responsible_person="李主席", handler="赵干事", contact="0356-1234567"
    )
    services.issuer_for(region=volunteer.village.__class__.objects.get(code="140521"))
    Issuer.objects.filter(region_id="140521").update(
        responsible_person="李主席", handler="赵干事", contact="0356-1234567"
    )
    certificate = _issue(qinshui_officer, volunteer)
    text = _pdf_text(certificate_pdf(certificate, full_id=False, today=TODAY + datetime.timedelta(days=8)), tmp_path)
    for block in ("一、志愿者信息", "二、志愿服务信息", "三、出具单位信息", "四、证明信息"):
        assert block in text
    assert certificate.number in text
    assert "2.5小时" in text
    assert "入户走访1次" in text and "电话联系1次" in text
    assert "沁水县妇女联合会" in text and "李主席" in text and "赵干事" in text and "0356-1234567" in text
    assert "居民身份证" in text
    assert volunteer.id_number_masked in text and volunteer.id_number not in text
    assert "2027年1月1日至2027年3月15日" in text.replace(" ", "")


def test_the_pdf_says_when_it_is_in_publicity(volunteer, qinshui_officer, tmp_path):
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    assert "公示中" in _pdf_text(certificate_pdf(certificate, full_id=True, today=TODAY), tmp_path)


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def _edges_inked(ch: str, tmp_path) -> tuple[float, float]:
    """Render one character with the certificate's fonts; return how much of its ink box's top and left edges is inked.

    A missing glyph is drawn as a box (a "tofu", with the code inside): both edges fully inked.
    """
    from weasyprint import HTML

    style = f"font-family: {certificate_css_font_stack()}; font-size: 72pt; margin: 0"
    (tmp_path / "g.pdf").write_bytes(HTML(string=f"<p style='{style}'>{ch}</p>").write_pdf())
    subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-singlefile", str(tmp_path / "g.pdf"), str(tmp_path / "g")], check=True
    )
    _magic, size, _max, pixels = (tmp_path / "g.pgm").read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
    dark = [(y, x) for y, row in enumerate(rows) for x, v in enumerate(row) if v < 128]
    y0, y1 = min(y for y, _x in dark), max(y for y, _x in dark)
    x0, x1 = min(x for _y, x in dark), max(x for _y, x in dark)
    top = sum(rows[y0][x] < 128 for x in range(x0, x1 + 1)) / (x1 - x0 + 1)
    left = sum(rows[y][x0] < 128 for y in range(y0, y1 + 1)) / (y1 - y0 + 1)
    return top, left


def test_a_rare_character_in_the_name_renders_with_a_cjk_font_not_a_box(volunteer, qinshui_officer, tmp_path):
    """𠮷 (U+20BB7) is not in WenQuanYi Micro Hei: the certificate's font list falls back to Hanazono for it."""
    _approved(volunteer)
    certificate = _issue(qinshui_officer, volunteer)
    pdf = certificate_pdf(certificate, full_id=False, today=TODAY + datetime.timedelta(days=8))
    fonts = _fonts(pdf, tmp_path)
    assert "WenQuanYi" in fonts
    assert "HanaMin" in fonts  # only the Hanazono fonts hold 𠮷 on this system
    assert "王𠮷芳" in _pdf_text(pdf, tmp_path)
    # The check tells a box: a code point no font has is drawn as one...
    assert min(_edges_inked("\U0010fffd", tmp_path)) > 0.9
    # ...and 𠮷 is drawn as a character.
    assert max(_edges_inked("𠮷", tmp_path)) < 0.5


def test_the_certificate_is_one_a4_page(volunteer, qinshui_officer, tmp_path):
    _approved(volunteer)
    path = tmp_path / "one.pdf"
    path.write_bytes(certificate_pdf(_issue(qinshui_officer, volunteer), full_id=False, today=TODAY))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "(A4)" in info


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_and_gapless_under_concurrency(regions, programme, qinshui_officer):
    volunteer = VolunteerFactory(programme=programme, village_id="140521100001")
    _approved(volunteer)
    errors = []

    def issue():
        try:
            _issue(qinshui_officer, volunteer)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == [1, 2, 3, 4, 5, 6]
    assert Issuer.objects.get(region_id="140521").last_number == 6
