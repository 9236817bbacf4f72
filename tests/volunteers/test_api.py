import pytest
from rest_framework.test import APIClient

from backend.audit.models import AuditEvent
from backend.volunteers.models import Application, CaringUnit, Volunteer
from backend.volunteers.services import screening_items_ensure
from tests.factories import VolunteerUserFactory
from tests.volunteers.factories import (
    ApplicationFactory,
    CaringUnitFactory,
    TeamFactory,
    VolunteerFactory,
    api_phone_code,
    application_answers,
    make_id_number,
    make_uscc,
)

pytestmark = pytest.mark.django_db

BASE = "/api/volunteers"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def qinshui_api(qinshui_officer):
    client = APIClient()
    client.force_authenticate(qinshui_officer)
    return client


def test_public_submission_with_the_sms_code(api, programme):
    code = api_phone_code(api)
    response = api.post(f"{BASE}/applications/", {**application_answers(), "code": code}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reference"] == Application.objects.get().reference


def test_public_submission_errors_name_their_fields(api, programme):
    code = api_phone_code(api)
    response = api.post(
        f"{BASE}/applications/",
        {**application_answers(id_number="140521198001010022", capacity=0), "code": code},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "校验位" in body["id_number"][0] and "capacity" in body
    # the code was not spent on a form with mistakes
    fixed = api.post(f"{BASE}/applications/", {**application_answers(), "code": code}, format="json")
    assert fixed.status_code == 201


def test_public_submission_with_a_wrong_code_is_400_on_code(api, programme):
    code = api_phone_code(api)
    wrong = "000000" if code != "000000" else "111111"
    response = api.post(f"{BASE}/applications/", {**application_answers(), "code": wrong}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "junk",
    [
        {"skills": "teaching"},
        {"capacity": "lots"},
        {"caring_unit": "x"},
        {"village": None},
        {"declarations": ["nope"]},
        {"id_number": 123},
    ],
)
def test_public_submission_junk_is_a_400(api, programme, junk):
    response = api.post(f"{BASE}/applications/", {**application_answers(), "code": "123456", **junk}, format="json")
    assert response.status_code == 400


def test_phone_codes_are_rate_limited_with_429(api, programme):
    api_phone_code(api)
    response = api.post(f"{BASE}/phone-codes/", {"phone": "13800138000"}, format="json")
    assert response.status_code == 429 and "phone" in response.json()


def test_queue_needs_staff(api, programme):
    assert api.get(f"{BASE}/applications/").status_code == 403
    volunteer_client = APIClient()
    volunteer_client.force_authenticate(VolunteerUserFactory())
    assert volunteer_client.get(f"{BASE}/applications/").status_code == 403


def test_queue_is_scoped_and_filtered(qinshui_api, programme):
    unit = CaringUnitFactory()
    mine = ApplicationFactory(programme=programme, skills=["law"], caring_unit=unit)
    other = ApplicationFactory(programme=programme, skills=["teaching"])
    theirs = ApplicationFactory(programme=programme, village_id="140525100001")
    refs = lambda r: {a["reference"] for a in r.json()["results"]}  # noqa: E731
    assert refs(qinshui_api.get(f"{BASE}/applications/")) == {mine.reference, other.reference}
    assert refs(qinshui_api.get(f"{BASE}/applications/?skill=law")) == {mine.reference}
    assert refs(qinshui_api.get(f"{BASE}/applications/?caring_unit={unit.pk}")) == {mine.reference}
    assert refs(qinshui_api.get(f"{BASE}/applications/?region=140525")) == set()
    assert refs(qinshui_api.get(f"{BASE}/applications/?status=approved")) == set()
    assert theirs.reference not in refs(qinshui_api.get(f"{BASE}/applications/?region=14"))
    row = qinshui_api.get(f"{BASE}/applications/").json()["results"][0]
    assert "id_number" not in row and row["id_number_masked"].count("*") == 8


def test_queue_shows_flags(qinshui_api, programme):
    number = make_id_number(birth="19500101")
    ApplicationFactory(programme=programme, id_number=number, status="withdrawn")
    ApplicationFactory(programme=programme, id_number=number)
    rows = qinshui_api.get(f"{BASE}/applications/?flagged=true&status=pending").json()["results"]
    assert len(rows) == 1 and set(rows[0]["flags"]) == {"duplicate", "age_outside_range"}


def test_detail_is_404_outside_the_region_and_audited_inside(qinshui_api, programme):
    theirs = ApplicationFactory(programme=programme, village_id="140525100001")
    assert qinshui_api.get(f"{BASE}/applications/{theirs.pk}/").status_code == 404
    mine = ApplicationFactory(programme=programme)
    body = qinshui_api.get(f"{BASE}/applications/{mine.pk}/").json()
    assert body["reference"] == mine.reference and mine.id_number not in str(body)
    assert AuditEvent.objects.filter(object_type="volunteers.application", object_ids=[str(mine.pk)]).exists()


def test_decision_paths_through_the_api(qinshui_api, programme):
    screening_items_ensure(programme=programme)
    a, b, c = (ApplicationFactory(programme=programme) for _ in range(3))
    # reject without reason → 400 on reason
    response = qinshui_api.post(f"{BASE}/applications/{a.pk}/decisions/", {"action": "reject"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = qinshui_api.post(
        f"{BASE}/applications/{a.pk}/decisions/", {"action": "reject", "reason": "不符合条件"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "rejected"
    response = qinshui_api.post(
        f"{BASE}/applications/{b.pk}/decisions/", {"action": "more_info", "reason": "请补充"}, format="json"
    )
    assert response.json()["status"] == "more_info"
    # approve without the checklist → 400 on checks; with it → the volunteer exists
    response = qinshui_api.post(f"{BASE}/applications/{c.pk}/decisions/", {"action": "approve"}, format="json")
    assert response.status_code == 400 and "checks" in response.json()
    checks = {"interview": True, "training": True, "references": True, "declarations": True}
    response = qinshui_api.post(
        f"{BASE}/applications/{c.pk}/decisions/", {"action": "approve", "checks": checks}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert Volunteer.objects.filter(application=c).exists()
    # deciding again is a 409
    again = qinshui_api.post(
        f"{BASE}/applications/{c.pk}/decisions/", {"action": "reject", "reason": "x"}, format="json"
    )
    assert again.status_code == 409


def test_decision_with_unknown_action_or_team_is_400(qinshui_api, programme):
    a = ApplicationFactory(programme=programme)
    assert qinshui_api.post(f"{BASE}/applications/{a.pk}/decisions/", {"action": "x"}, format="json").status_code == 400
    response = qinshui_api.post(
        f"{BASE}/applications/{a.pk}/decisions/", {"action": "approve", "team": 99999}, format="json"
    )
    assert response.status_code == 400 and "team" in response.json()


def test_checklist_item_ticked_via_the_api(qinshui_api, programme):
    a = ApplicationFactory(programme=programme)
    rows = qinshui_api.post(
        f"{BASE}/applications/{a.pk}/checks/", {"item": "interview", "done": True}, format="json"
    ).json()
    assert {r["code"]: r["done"] for r in rows}["interview"] is True
    bad = qinshui_api.post(f"{BASE}/applications/{a.pk}/checks/", {"item": "nope", "done": True}, format="json")
    assert bad.status_code == 400


def test_volunteers_list_and_status_change(qinshui_api, programme):
    team = TeamFactory(programme=programme)
    mine = VolunteerFactory(programme=programme, team=team)
    VolunteerFactory(programme=programme, village_id="140525100001")
    rows = qinshui_api.get(f"{BASE}/volunteers/?team={team.pk}").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    bad = qinshui_api.post(f"{BASE}/volunteers/{mine.pk}/status/", {"status": "ended"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    ok = qinshui_api.post(
        f"{BASE}/volunteers/{mine.pk}/status/", {"status": "ended", "reason": "inactive"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "ended" and ok.json()["ended_on"]


def test_volunteer_outside_region_is_404(qinshui_api, programme):
    theirs = VolunteerFactory(programme=programme, village_id="140525100001")
    assert qinshui_api.get(f"{BASE}/volunteers/{theirs.pk}/").status_code == 404
    response = qinshui_api.post(
        f"{BASE}/volunteers/{theirs.pk}/status/", {"status": "ended", "reason": "inactive"}, format="json"
    )
    assert response.status_code == 404


def test_caring_units_register_and_list_volunteers(qinshui_api, programme):
    bad = qinshui_api.post(
        f"{BASE}/units/", {"name": "医院", "uscc": "bad", "region": "140521", "contact_name": "赵"}, format="json"
    )
    assert bad.status_code == 400 and "uscc" in bad.json()
    response = qinshui_api.post(
        f"{BASE}/units/", {"name": "医院", "uscc": make_uscc(), "region": "140521", "contact_name": "赵"}, format="json"
    )
    assert response.status_code == 201
    unit = CaringUnit.objects.get()
    VolunteerFactory(programme=programme, caring_unit=unit, name="李红")
    detail = qinshui_api.get(f"{BASE}/units/{unit.pk}/").json()
    assert [v["name"] for v in detail["volunteers"]] == ["李红"]
    assert detail["volunteer_count"] == 1


def test_unit_in_unknown_region_is_400(qinshui_api, programme):
    response = qinshui_api.post(
        f"{BASE}/units/", {"name": "医院", "uscc": make_uscc(), "region": "000000", "contact_name": "赵"}, format="json"
    )
    assert response.status_code == 400 and "region" in response.json()


def test_teams_listed(qinshui_api, programme):
    TeamFactory(programme=programme, name="龙港镇小分队")
    assert [t["name"] for t in qinshui_api.get(f"{BASE}/teams/").json()["results"]] == ["龙港镇小分队"]


def test_schema_documents_the_recruitment_endpoints(client, programme, qinshui_officer):
    client.force_login(qinshui_officer)
    schema = client.get("/api/schema/").content.decode()
    for endpoint in ("/api/volunteers/applications/", "/api/volunteers/units/", "/api/volunteers/phone-codes/"):
        assert endpoint in schema
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode().lower()
