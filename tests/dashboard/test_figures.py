"""The dashboard's figures match the records, computed independently in plain Python."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.regions.models import Region
from pairing.models import Pairing
from tests.children.factories import ChildFactory
from tests.dashboard.conftest import QINSHUI, ZEZHOU, build_dataset, expected_figures

pytestmark = pytest.mark.django_db

FIGURES = (
    "registered",
    "left_behind",
    "in_difficulty",
    "paired",
    "unpaired",
    "coverage",
    "checked_30",
    "checked_90",
    "overdue",
    "open_concerns",
    "volunteers",
    "volunteer_pairings",
    "volunteer_capacity",
    "load",
    "load_buckets",
    "applications_waiting",
    "lapsed_volunteers",
    "checkins_by_month",
)


def _pick(data: dict) -> dict:
    return {k: data[k] for k in FIGURES}


def _api(client, user, code=None):
    client.force_login(user)
    url = f"/api/dashboard/regions/{code}/" if code else "/api/dashboard/"
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_city_officer_sees_every_county_with_figures_matching_the_records(client, city_officer, dataset, today):
    # when
    data = _api(client, city_officer)
    # then
    assert data["region"]["code"] == "1405"
    assert _pick(data["total"]) == expected_figures("1405", today=today)
    counties = list(Region.objects.filter(parent_id="1405").values_list("code", flat=True))
    assert [r["code"] for r in data["rows"]] == sorted(counties)
    for row in data["rows"]:
        assert _pick(row) == expected_figures(row["code"], today=today), row["code"]
    # the data set is not trivial: both counties have children, gaps and concerns
    by_code = {r["code"]: r for r in data["rows"]}
    for county in (QINSHUI, ZEZHOU):
        assert by_code[county]["registered"] > 0
    assert 0 < data["total"]["paired"] < data["total"]["registered"]
    assert data["total"]["checked_30"] < data["total"]["checked_90"]
    assert data["total"]["overdue"] > 0
    assert data["total"]["open_concerns"] > 0


def test_county_and_town_rows_match_the_records(client, qinshui_officer, dataset, today):
    data = _api(client, qinshui_officer, QINSHUI)
    assert _pick(data["total"]) == expected_figures(QINSHUI, today=today)
    towns_with_children = [r for r in data["rows"] if r["registered"]]
    assert len(towns_with_children) == 3
    for row in data["rows"]:
        assert len(row["code"]) == 9
        assert _pick(row) == expected_figures(row["code"], today=today)
    # drill down to a town: one row per village
    town = towns_with_children[0]["code"]
    town_data = _api(client, qinshui_officer, town)
    assert _pick(town_data["total"]) == expected_figures(town, today=today)
    for row in town_data["rows"]:
        assert len(row["code"]) == 12
        assert _pick(row) == expected_figures(row["code"], today=today)


def test_a_village_shows_its_own_figures_and_no_rows(client, qinshui_officer, dataset, today):
    village = next(v for v in dataset["villages"] if v.startswith(QINSHUI))
    data = _api(client, qinshui_officer, village)
    assert data["rows"] == []
    assert _pick(data["total"]) == expected_figures(village, today=today)


def test_county_officer_never_sees_another_county(client, qinshui_officer, dataset, today):
    data = _api(client, qinshui_officer)
    assert data["region"]["code"] == QINSHUI
    assert all(r["code"].startswith(QINSHUI) for r in data["rows"])
    assert _pick(data["total"]) == expected_figures(QINSHUI, today=today)
    assert data["total"]["registered"] < expected_figures("1405", today=today)["registered"]
    for lst in data["lists"].values():
        for row in lst["rows"]:
            assert "泽州" not in (row.get("village") or "")


@pytest.mark.parametrize("code", [ZEZHOU, "1405", "14", "140525100", "999999"])
def test_above_sideways_or_unknown_regions_are_404(client, qinshui_officer, dataset, code):
    client.force_login(qinshui_officer)
    assert client.get(f"/api/dashboard/regions/{code}/").status_code == 404
    assert client.get(f"/staff/r/{code}/").status_code == 404
    assert client.get(f"/staff/r/{code}/export.xlsx").status_code == 404


def test_volunteers_and_anonymous_users_are_refused(client, regions):
    from tests.factories import VolunteerUserFactory

    assert client.get("/api/dashboard/").status_code == 403
    page = client.get("/staff/dashboard/")
    assert page.status_code == 302 and page["Location"].startswith("/staff/login/")
    client.force_login(VolunteerUserFactory())
    assert client.get("/api/dashboard/").status_code == 403
    assert client.get("/staff/dashboard/").status_code == 403


def test_superuser_starts_at_the_top_of_the_tree(client, dataset, today):
    from tests.factories import SuperuserFactory

    data = _api(client, SuperuserFactory())
    assert data["region"] is None
    tops = list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert [r["code"] for r in data["rows"]] == sorted(tops)
    assert _pick(data["total"]) == expected_figures("", today=today)


def test_paused_pairing_does_not_count_as_paired_but_loads_the_volunteer(client, qinshui_officer, programme, today):
    from tests.volunteers.factories import VolunteerFactory

    child = ChildFactory(village_id="140521100001")
    volunteer = VolunteerFactory(programme=programme, village_id="140521100001", capacity=1)
    Pairing.objects.create(
        programme=programme, child=child, volunteer=volunteer, status=Pairing.Status.PAUSED, started_on=today
    )
    data = _api(client, qinshui_officer)
    assert data["total"]["registered"] == 1
    assert data["total"]["paired"] == 0
    assert data["total"]["coverage"] == 0.0
    assert data["total"]["volunteer_pairings"] == 1
    assert data["total"]["load_buckets"]["full"] == 1
    assert data["lists"]["unpaired"]["count"] == 1


def test_check_in_windows_include_today_and_the_30th_day_back(client, qinshui_officer, programme, today):
    from backend.checkins.models import CheckIn, CheckInChild
    from tests.volunteers.factories import VolunteerFactory

    volunteer = VolunteerFactory(programme=programme, village_id="140521100001")
    for days_ago in (29, 30, 89, 90):
        child = ChildFactory(village_id="140521100001")
        day = today - datetime.timedelta(days=days_ago)
        checkin = CheckIn.objects.create(volunteer=volunteer, kind="home_visit", occurred_on=day)
        CheckInChild.objects.create(checkin=checkin, child=child, occurred_on=day)
    data = _api(client, qinshui_officer)
    assert data["total"]["checked_30"] == 1  # 29 days ago; 30 days ago is the 31st day
    assert data["total"]["checked_90"] == 3
    months = data["checkins_by_month"]
    assert len(months) == 12
    assert months[-1]["month"] == today.strftime("%Y-%m")
    assert sum(m["checkins"] for m in months) == sum(
        1
        for d in (29, 30, 89, 90)
        if (today - datetime.timedelta(days=d)) >= datetime.date.fromisoformat(months[0]["month"] + "-01")
    )


def test_the_number_of_queries_does_not_grow_with_the_data(client, city_officer, programme, today):
    client.force_login(city_officer)
    build_dataset(programme, today=today, seed=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/staff/dashboard/").status_code == 200
    build_dataset(programme, today=today, seed=2)
    build_dataset(programme, today=today, seed=3)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/dashboard/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # a fixed number: the figures and lists, and the care activities' monthly table (issue 20)
    assert len(large.captured_queries) < 30


def test_overdue_figure_and_list_agree_with_the_check_ins_selector(client, qinshui_officer, dataset, today):
    from backend.checkins.selectors import pairings_overdue

    theirs = {p.id for p in pairings_overdue(today=today) if p.child.village_id.startswith(QINSHUI)}
    data = _api(client, qinshui_officer)
    assert data["total"]["overdue"] == len(theirs) > 0
    assert data["lists"]["lapsed_pairings"]["count"] == len(theirs)
    listed = [r["id"] for r in data["lists"]["lapsed_pairings"]["rows"]]
    assert set(listed) == theirs
    days = [r["overdue_days"] for r in data["lists"]["lapsed_pairings"]["rows"]]
    assert days == sorted(days, reverse=True)
