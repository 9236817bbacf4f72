import pytest

from backend.volunteers.models import Application, Volunteer
from backend.volunteers.services import screening_items_ensure
from tests.volunteers.factories import ApplicationFactory, CaringUnitFactory, VolunteerFactory, make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def qinshui_client(client, qinshui_officer):
    client.force_login(qinshui_officer)
    return client


def test_queue_shows_only_the_officers_region(qinshui_client, programme):
    mine = ApplicationFactory(programme=programme, village_id="140521100001")
    theirs = ApplicationFactory(programme=programme, village_id="140525100001")
    page = qinshui_client.get("/admin/volunteers/application/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert mine.id_number not in page and mine.id_number_masked in page


def test_out_of_region_application_is_404_in_the_review_page(qinshui_client, programme):
    theirs = ApplicationFactory(programme=programme, village_id="140525100001")
    assert qinshui_client.get(f"/admin/volunteers/application/{theirs.pk}/review/").status_code == 404
    assert (
        qinshui_client.post(f"/admin/volunteers/application/{theirs.pk}/review/", {"action": "reject"}).status_code
        == 404
    )


def test_queue_flags_duplicates_and_filters_them(qinshui_client, programme):
    number = make_id_number()
    ApplicationFactory(programme=programme, id_number=number, status="rejected")
    flagged = ApplicationFactory(programme=programme, id_number=number)
    clean = ApplicationFactory(programme=programme)
    page = qinshui_client.get("/admin/volunteers/application/?flagged=duplicate&status=pending").content.decode()
    assert flagged.reference in page and clean.reference not in page
    assert "重复报名" in page


def test_queue_flags_age_outside_the_range(qinshui_client, programme):
    old = ApplicationFactory(programme=programme, id_number=make_id_number(birth="19500101"))
    ok = ApplicationFactory(programme=programme)
    page = qinshui_client.get("/admin/volunteers/application/?flagged=age").content.decode()
    assert old.reference in page and ok.reference not in page
    assert "年龄不符" in page


def test_queue_filters_by_status_skill_unit_and_county(client, city_officer, programme):
    client.force_login(city_officer)
    unit = CaringUnitFactory()
    a = ApplicationFactory(programme=programme, skills=["law"], caring_unit=unit)
    b = ApplicationFactory(programme=programme, skills=["teaching"], village_id="140525100001", status="rejected")
    by_skill = client.get("/admin/volunteers/application/?skill=law").content.decode()
    assert a.reference in by_skill and b.reference not in by_skill
    by_county = client.get("/admin/volunteers/application/?county=140525").content.decode()
    assert b.reference in by_county and a.reference not in by_county
    by_unit = client.get(f"/admin/volunteers/application/?caring_unit__id__exact={unit.pk}").content.decode()
    assert a.reference in by_unit and b.reference not in by_unit
    by_status = client.get("/admin/volunteers/application/?status__exact=rejected").content.decode()
    assert b.reference in by_status and a.reference not in by_status


def test_review_page_ticks_checklist_and_approves(qinshui_client, programme):
    application = ApplicationFactory(programme=programme)
    screening_items_ensure(programme=programme)
    page = qinshui_client.get(f"/admin/volunteers/application/{application.pk}/review/").content.decode()
    assert "面谈已完成" in page and application.id_number not in page
    data = {f"check_{c}": "on" for c in ("interview", "training", "references", "declarations")}
    response = qinshui_client.post(
        f"/admin/volunteers/application/{application.pk}/review/", {**data, "action": "approve"}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == "approved"
    assert Volunteer.objects.filter(application=application).exists()


def test_review_page_shows_the_error_when_reason_is_missing(qinshui_client, programme):
    application = ApplicationFactory(programme=programme)
    response = qinshui_client.post(f"/admin/volunteers/application/{application.pk}/review/", {"action": "reject"})
    assert response.status_code == 200
    assert "必须填写理由" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_review_page_keeps_checklist_when_approval_is_refused(qinshui_client, programme):
    application = ApplicationFactory(programme=programme)
    screening_items_ensure(programme=programme)
    qinshui_client.post(
        f"/admin/volunteers/application/{application.pk}/review/", {"check_interview": "on", "action": "approve"}
    )
    assert application.checks.filter(done=True).count() == 1
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_staff_cannot_edit_an_application_directly(qinshui_client, programme):
    application = ApplicationFactory(programme=programme)
    response = qinshui_client.post(f"/admin/volunteers/application/{application.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).name == application.name


def test_volunteer_status_page_ends_with_a_reason(qinshui_client, programme):
    volunteer = VolunteerFactory(programme=programme)
    url = f"/admin/volunteers/volunteer/{volunteer.pk}/status/"
    page = qinshui_client.post(url, {"status": "ended", "reason": ""}).content.decode()
    assert "请选择暂停或退出的原因" in page
    qinshui_client.post(url, {"status": "ended", "reason": "moved_away", "note": "随子女去外地"})
    volunteer.refresh_from_db()
    assert volunteer.status == "ended" and volunteer.status_reason == "moved_away"


def test_volunteer_outside_region_is_404(client, zezhou_officer, programme):
    client.force_login(zezhou_officer)
    volunteer = VolunteerFactory(programme=programme)
    assert client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/status/").status_code == 404
    assert client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/change/").status_code == 302  # not found → redirect


def test_staff_register_a_caring_unit_and_see_its_volunteers(qinshui_client, programme):
    from tests.volunteers.factories import make_uscc

    bad = qinshui_client.post(
        "/admin/volunteers/caringunit/add/",
        {"name": "沁水县医院", "uscc": "123", "region": "140521", "contact_name": "赵"},
    )
    assert "统一社会信用代码不正确" in bad.content.decode()
    code = make_uscc()
    response = qinshui_client.post(
        "/admin/volunteers/caringunit/add/",
        {
            "name": "沁水县医院",
            "uscc": code,
            "region": "140521",
            "contact_name": "赵",
            "volunteers-TOTAL_FORMS": "0",
            "volunteers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    from backend.volunteers.models import CaringUnit

    unit = CaringUnit.objects.get(uscc=code)
    VolunteerFactory(programme=programme, caring_unit=unit, name="李红")
    page = qinshui_client.get(f"/admin/volunteers/caringunit/{unit.pk}/change/").content.decode()
    assert "李红" in page
