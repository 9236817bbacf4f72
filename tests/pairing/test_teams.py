"""Teams wider than one county: loaded into every county they cover, their capacity shared once."""

import pytest

from backend.programmes.models import Programme
from pairing.models import PairingRun
from pairing.selectors import pairing_instance, run_part_codes, team_key
from pairing.services import PairingError, pairing_create, pairing_run_execute, pairing_run_start
from tests.volunteers.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_programme(programme):
    programme.pairing_mode = Programme.PairingMode.TEAMS
    programme.save()
    return programme


@pytest.fixture
def city_team(team_programme, make_volunteer):
    """A team whose area is the whole city, members in two counties, room for two children in all."""
    team = TeamFactory(programme=team_programme, region_id="1405", name="晋城市心理关爱小分队")
    make_volunteer("140521100001", team=team, capacity=1)
    make_volunteer("140525100001", team=team, capacity=1)
    return team


def _run(user, programme, code, regions) -> PairingRun:
    run = pairing_run_start(user=user, programme=programme, region=regions.get(code=code))
    return pairing_run_execute(run_id=run.pk)


def test_a_county_run_loads_a_city_wide_team_with_all_its_members(team_programme, city_team, make_child):
    make_child("140525100001")
    instance = pairing_instance(programme=team_programme, region_code="140525")
    [team] = instance.teams
    assert team.id == team_key(city_team.pk) and team.location == ("14", "1405")
    assert len(team.members) == 2 and team.capacity == 2  # the member in 沁水县 counts too


def test_a_county_run_proposes_the_city_wide_team(zezhou_officer, team_programme, city_team, make_child, regions):
    child = make_child("140525100001")
    run = _run(zezhou_officer, team_programme, "140525", regions)
    assert [(p.child_id, p.team_id) for p in run.proposals.all()] == [(child.pk, city_team.pk)]


def test_a_city_run_solves_the_counties_a_wide_team_covers_as_one_part_and_never_overfills_it(
    city_officer, team_programme, city_team, make_child, regions
):
    for village in ("140521100001", "140521100002", "140525100001", "140525100002"):
        make_child(village)
    assert run_part_codes(programme=team_programme, region_code="1405") == ["1405"]
    run = _run(city_officer, team_programme, "1405", regions)
    assert run.status == PairingRun.Status.DONE and run.parts_total == 1
    assert run.proposals.filter(team=city_team).count() == 2  # its room, not twice its room


def test_counties_no_wide_team_covers_stay_separate_parts(team_programme, make_child, make_volunteer):
    town_team = TeamFactory(programme=team_programme, region_id="140521100")
    make_volunteer("140521100001", team=town_team)
    make_child("140521100001")
    make_child("140525100001")
    assert run_part_codes(programme=team_programme, region_code="1405") == ["140521", "140525"]


def test_approving_a_team_that_is_full_needs_an_override(
    qinshui_officer, zezhou_officer, team_programme, city_team, make_child
):
    pairing_create(programme=team_programme, child=make_child("140521100001"), team=city_team, user=qinshui_officer)
    pairing_create(programme=team_programme, child=make_child("140521100002"), team=city_team, user=qinshui_officer)
    with pytest.raises(PairingError) as info:
        pairing_create(programme=team_programme, child=make_child("140525100001"), team=city_team, user=zezhou_officer)
    assert (info.value.code, info.value.field) == ("capacity", "team")
    assert info.value.message.startswith("该小分队已满额")


def test_pairing_a_team_by_hand_checks_its_area_not_the_distance_limit(
    qinshui_officer, team_programme, city_team, make_child, make_volunteer
):
    town_team = TeamFactory(programme=team_programme, region_id="140521100")
    make_volunteer("140521100001", team=town_team, capacity=3)
    # the city-wide team may take a child anywhere in the city
    pairing_create(programme=team_programme, child=make_child("140521101200"), team=city_team, user=qinshui_officer)
    with pytest.raises(PairingError) as info:
        pairing_create(programme=team_programme, child=make_child("140521101200"), team=town_team, user=qinshui_officer)
    assert (info.value.code, info.value.field) == ("distance", "team")
    assert info.value.message.startswith("儿童不在该小分队的服务区域内")
