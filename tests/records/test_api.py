"""The records API (/api/records/): scoped like the workspace, totals of approved hours only, masked IDs."""

import datetime

import pytest

from backend.audit.models import AuditEvent
from backend.records import services
from backend.records.models import Certificate, Evaluation, Nomination, ServiceEntry, TrainingRecord
from tests.factories import ChildDirectorFactory
from tests.records.conftest import TODAY
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def _entry(volunteer, *, status="approved", minutes=60, day=TODAY, source="checkin", content="入户走访"):
    extra = {}
    if source == "staff":
        extra = {"starts_at": datetime.time(9), "ends_at": datetime.time(17), "reason": "补签"}
    return ServiceEntry.objects.create(
        volunteer=volunteer, source=source, served_on=day, minutes=minutes, content=content, status=status, **extra
    )


@pytest.fixture
def zezhou_volunteer(programme):
    return VolunteerFactory(programme=programme, name="李秀英", village_id="140525100001")


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- scoping ---------------------------------------------------------------


def test_a_county_officer_lists_only_her_countys_entries(client, volunteer, zezhou_volunteer, qinshui_officer):
    # given
    ours = _entry(volunteer)
    theirs = _entry(zezhou_volunteer)
    client.force_login(qinshui_officer)
    # when
    response = client.get("/api/records/entries/")
    # then
    assert response.status_code == 200
    assert _ids(response) == {ours.pk}
    assert theirs.pk not in _ids(client.get("/api/records/entries/", {"volunteer": zezhou_volunteer.pk}))


def test_another_countys_records_answer_404_as_if_they_did_not_exist(
    client, volunteer, zezhou_volunteer, qinshui_officer, zezhou_officer
):
    entry = _entry(zezhou_volunteer)
    certificate = Certificate.objects.create(
        volunteer=zezhou_volunteer, period_start=TODAY, period_end=TODAY, status="requested"
    )
    nomination = Nomination.objects.create(
        volunteer=zezhou_volunteer,
        title="优秀爱心妈妈",
        year=2026,
        statement="坚持走访",
        awarding_region_id="140525",
        current_region_id="140525",
    )
    client.force_login(qinshui_officer)
    paths = [
        f"/api/records/entries/{entry.pk}/",
        f"/api/records/volunteers/{zezhou_volunteer.pk}/",
        f"/api/records/certificates/{certificate.pk}/",
        f"/api/records/nominations/{nomination.pk}/",
    ]
    assert [client.get(p).status_code for p in paths] == [404] * 4
    assert client.get("/api/records/entries/999999/").status_code == 404
    client.force_login(zezhou_officer)
    assert [client.get(p).status_code for p in paths] == [200] * 4


def test_a_town_officer_does_not_see_the_next_towns_volunteer(client, programme, longgang_officer):
    elsewhere = VolunteerFactory(programme=programme, village_id="140521101200")  # 中村镇
    _entry(elsewhere)
    client.force_login(longgang_officer)
    assert client.get(f"/api/records/volunteers/{elsewhere.pk}/").status_code == 404
    assert client.get("/api/records/entries/").json()["results"] == []


def test_child_directors_and_anonymous_visitors_are_refused(client, regions, volunteer):
    _entry(volunteer)
    assert client.get("/api/records/entries/").status_code == 403
    client.force_login(ChildDirectorFactory(village_codes=["140521100001"]))
    for path in ("/api/records/entries/", "/api/records/certificates/", f"/api/records/volunteers/{volunteer.pk}/"):
        assert client.get(path).status_code == 403, path


# --- the volunteer: her own only ------------------------------------------------


def test_a_volunteer_reads_her_own_record_and_nobody_elses(client, volunteer, programme):
    # given: a neighbour in the same village with her own entries
    neighbour = VolunteerFactory(programme=programme, village_id=volunteer.village_id)
    mine = _entry(volunteer)
    hers = _entry(neighbour)
    client.force_login(volunteer.user)
    # when / then
    assert _ids(client.get("/api/records/entries/")) == {mine.pk}
    assert _ids(client.get("/api/records/entries/", {"volunteer": neighbour.pk})) == set()
    assert client.get(f"/api/records/entries/{mine.pk}/").status_code == 200
    assert client.get(f"/api/records/entries/{hers.pk}/").status_code == 404
    assert client.get(f"/api/records/volunteers/{volunteer.pk}/").status_code == 200
    assert client.get(f"/api/records/volunteers/{neighbour.pk}/").status_code == 404


def test_nominations_are_staff_work_and_a_volunteer_sees_her_honours_in_her_record(client, volunteer, qinshui_officer):
    Nomination.objects.create(
        volunteer=volunteer,
        title="优秀爱心妈妈",
        year=2026,
        statement="坚持走访",
        awarding_region_id="140521",
        current_region_id="140521",
        status="awarded",
        awarded_on=datetime.date(2027, 1, 10),
    )
    client.force_login(volunteer.user)
    assert client.get("/api/records/nominations/").status_code == 403
    honours = client.get(f"/api/records/volunteers/{volunteer.pk}/").json()["honours"]
    assert [(h["year"], h["title"], h["awarding_region_name"]) for h in honours] == [(2026, "优秀爱心妈妈", "沁水县")]


# --- totals -------------------------------------------------------------------


def test_totals_count_approved_hours_only(client, volunteer, qinshui_officer):
    # given: 2 h approved, 1.5 h pending, 3 h rejected, a check-in without minutes
    _entry(volunteer, minutes=120)
    _entry(volunteer, minutes=90, status="pending", source="staff")
    _entry(volunteer, minutes=180, status="rejected", source="staff")
    _entry(volunteer, minutes=0, status="recorded")
    client.force_login(qinshui_officer)
    # when
    body = client.get("/api/records/entries/", {"volunteer": volunteer.pk}).json()
    record = client.get(f"/api/records/volunteers/{volunteer.pk}/").json()
    # then
    assert body["totals"] == {"entries": 4, "approved_hours": 2.0, "pending_entries": 1, "pending_hours": 1.5}
    assert record["service"]["approved_hours"] == 2.0
    assert record["service"]["pending_hours"] == 1.5


def test_filters_by_status_source_and_period_and_totals_follow_them(client, volunteer, qinshui_officer):
    january = _entry(volunteer, minutes=60, day=datetime.date(2027, 1, 20))
    february = _entry(volunteer, minutes=120, day=datetime.date(2027, 2, 20), source="staff")
    pending = _entry(volunteer, minutes=30, day=datetime.date(2027, 2, 21), status="pending", source="staff")
    client.force_login(qinshui_officer)
    feb = client.get("/api/records/entries/", {"start": "2027-02-01", "end": "2027-02-28"}).json()
    assert {r["id"] for r in feb["results"]} == {february.pk, pending.pk}
    assert feb["totals"]["approved_hours"] == 2.0
    assert _ids(client.get("/api/records/entries/", {"source": "checkin"})) == {january.pk}
    assert _ids(client.get("/api/records/entries/", {"status": "pending"})) == {pending.pk}
    bad = client.get("/api/records/entries/", {"start": "2027-03-01", "end": "2027-02-01"})
    assert bad.status_code == 400
    assert client.get("/api/records/entries/", {"status": "lost"}).status_code == 400


def test_entries_say_their_source_and_status_in_words(client, volunteer, qinshui_officer, second_officer):
    entry = services.service_entry_supplement(
        by=qinshui_officer,
        volunteer=volunteer,
        served_on=TODAY,
        starts_at=datetime.time(9),
        ends_at=datetime.time(11),
        minutes=120,
        content="寒假关爱活动",
        reason="活动当天未签到",
    )
    services.service_entry_decide(entry=entry, by=second_officer, approve=True)
    client.force_login(qinshui_officer)
    row = client.get(f"/api/records/entries/{entry.pk}/").json()
    assert row["source"] == "staff" and row["source_display"] == "工作人员补录"
    assert row["status"] == "approved" and row["status_display"] == "已确认"
    assert row["hours"] == 2.0 and (row["starts_at"], row["ends_at"]) == ("09:00", "11:00")
    assert row["approved_by_name"] == str(second_officer)


# --- the record and masking -------------------------------------------------------


def test_the_record_has_the_five_parts_with_the_id_number_masked(client, volunteer, qinshui_officer):
    # given
    TrainingRecord.objects.create(
        volunteer=volunteer, topic="岗前培训", held_on=datetime.date(2026, 3, 1), hours=2, organiser="沁水县妇联"
    )
    Evaluation.objects.create(volunteer=volunteer, year=2026, grade="excellent", comment="认真负责")
    _entry(volunteer, minutes=150)
    client.force_login(qinshui_officer)
    # when
    response = client.get(f"/api/records/volunteers/{volunteer.pk}/")
    # then
    body = response.json()
    assert set(body) == {"basic_info", "service", "trainings", "honours", "evaluations"}
    info = body["basic_info"]
    assert info["name"] == "王𠮷芳" and info["id_type"] == "居民身份证"
    assert info["id_number_masked"] == volunteer.id_number_masked and "*" in info["id_number_masked"]
    assert volunteer.id_number not in response.content.decode()
    assert info["gender_display"] == "女" and info["status_display"]
    assert body["service"]["approved_hours"] == 2.5
    assert body["trainings"][0]["topic"] == "岗前培训" and body["trainings"][0]["hours"] == 2.0
    assert body["evaluations"] == [
        {
            "id": body["evaluations"][0]["id"],
            "year": 2026,
            "grade": "excellent",
            "grade_display": "优秀",
            "comment": "认真负责",
        }
    ]


def test_a_certificate_never_carries_the_full_id_number(client, volunteer, qinshui_officer):
    _entry(volunteer, minutes=150, day=datetime.date(2027, 2, 1))
    certificate = services.certificate_issue(
        by=qinshui_officer, volunteer=volunteer, period_start=datetime.date(2027, 1, 1), period_end=TODAY
    )
    client.force_login(qinshui_officer)
    for path in ("/api/records/certificates/", f"/api/records/certificates/{certificate.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert volunteer.id_number not in response.content.decode()
    row = client.get(f"/api/records/certificates/{certificate.pk}/").json()
    assert row["number"] == certificate.number and row["status_display"] == "已出具"
    assert row["hours"] == 2.5 and row["in_publicity"] is True and row["final"] is False
    assert row["volunteer_name"] == "王𠮷芳" and row["masked_name"] == "王**"
    assert row["issuer_name"] == certificate.issuer.name
    assert f"/records/verify/?n={certificate.number}&c=" in row["verification_url"]


def test_the_volunteer_lists_only_her_own_certificates(client, volunteer, zezhou_volunteer):
    mine = Certificate.objects.create(volunteer=volunteer, period_start=TODAY, period_end=TODAY, status="requested")
    Certificate.objects.create(volunteer=zezhou_volunteer, period_start=TODAY, period_end=TODAY, status="requested")
    client.force_login(volunteer.user)
    body = client.get("/api/records/certificates/").json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["number"] is None and body["results"][0]["verification_url"] is None


# --- pagination and audit ----------------------------------------------------------


def test_entries_come_in_keyset_pages_with_totals_over_all_pages(client, volunteer, qinshui_officer):
    for day in range(1, 8):
        _entry(volunteer, minutes=60, day=datetime.date(2027, 1, day))
    client.force_login(qinshui_officer)
    first = client.get("/api/records/entries/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    assert first["totals"]["entries"] == 7 and first["totals"]["approved_hours"] == 7.0
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 3
    assert not _ids_of(first) & _ids_of(second)


def _ids_of(body) -> set[int]:
    return {r["id"] for r in body["results"]}


def test_nominations_and_certificates_come_in_numbered_pages(client, volunteer, qinshui_officer):
    for year in range(2020, 2023):
        Nomination.objects.create(
            volunteer=volunteer,
            title="优秀爱心妈妈",
            year=year,
            statement="坚持走访",
            awarding_region_id="140521",
            current_region_id="140521",
        )
    client.force_login(qinshui_officer)
    body = client.get("/api/records/nominations/").json()
    assert body["count"] == 3 and body["next"] is None
    assert [r["year"] for r in body["results"]] == [2022, 2021, 2020]
    assert body["results"][0]["status_display"] == "审核中"
    assert client.get("/api/records/nominations/", {"year": 2021}).json()["count"] == 1
    detail = client.get(f"/api/records/nominations/{body['results'][0]['id']}/").json()
    assert set(detail["criteria_now"]) == {"approved_hours", "year_hours", "children_cared", "months_without_lapse"}
    assert client.get("/api/records/certificates/").json()["count"] == 0


def test_reading_a_record_or_a_certificate_is_audited(client, volunteer, qinshui_officer):
    certificate = Certificate.objects.create(
        volunteer=volunteer, period_start=TODAY, period_end=TODAY, status="requested"
    )
    client.force_login(qinshui_officer)
    for path in (f"/api/records/volunteers/{volunteer.pk}/", f"/api/records/certificates/{certificate.pk}/"):
        before = AuditEvent.objects.count()
        assert client.get(path).status_code == 200
        event = AuditEvent.objects.order_by("-id").first()
        assert AuditEvent.objects.count() == before + 1
        assert (event.action, event.object_type, event.object_ids) == ("view", "volunteer", [str(volunteer.pk)])
        assert event.actor == qinshui_officer and event.region_code == volunteer.village_id
