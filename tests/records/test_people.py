"""Trainings, honours (nomination → approval up the tree) and yearly evaluations."""

import datetime

import pytest

from backend.ops.errors import ServiceError
from backend.records import selectors, services
from backend.records.models import Nomination
from backend.regions.models import Region
from tests.checkins.factories import checkin_for
from tests.factories import StaffFactory
from tests.records.conftest import TODAY

pytestmark = pytest.mark.django_db


def _nominate(by, volunteer, awarding="1405"):
    return services.nomination_raise(
        by=by,
        volunteer=volunteer,
        title="优秀爱心妈妈",
        year=2026,
        statement="坚持每周走访",
        awarding_region=Region.objects.get(code=awarding),
    )


def test_a_nomination_passes_up_the_tree_to_the_awarding_level(
    volunteer, pairing, longgang_officer, qinshui_officer, city_officer
):
    # given a town officer's nomination for a city honour
    for months_ago in range(3):
        checkin_for(pairing, on=(TODAY.replace(day=1) - datetime.timedelta(days=28 * months_ago)))
    nomination = _nominate(longgang_officer, volunteer)
    assert nomination.current_region_id == "140521"
    assert nomination.children_cared == 1
    assert nomination.months_without_lapse == 3
    # the city may not skip the county
    with pytest.raises(ServiceError, match="沁水县"):
        services.nomination_decide(nomination=nomination, by=city_officer, approve=True)
    # when the county agrees, the city decides next
    nomination = services.nomination_decide(nomination=nomination, by=qinshui_officer, approve=True, note="同意")
    assert (nomination.status, nomination.current_region_id) == ("in_review", "1405")
    nomination = services.nomination_decide(nomination=nomination, by=city_officer, approve=True)
    # then she holds the honour, and both steps are kept
    assert nomination.status == "awarded"
    assert nomination.awarded_on == TODAY
    assert [s.region_id for s in nomination.steps.all()] == ["140521", "1405"]
    assert list(selectors.honours_of(volunteer=volunteer)) == [nomination]


def test_a_declined_nomination_stops_and_needs_a_reason(volunteer, longgang_officer, qinshui_officer):
    nomination = _nominate(longgang_officer, volunteer, awarding="140521")
    with pytest.raises(ServiceError):
        services.nomination_decide(nomination=nomination, by=qinshui_officer, approve=False)
    nomination = services.nomination_decide(nomination=nomination, by=qinshui_officer, approve=False, note="时长不足")
    assert nomination.status == Nomination.Status.REJECTED
    assert not selectors.honours_of(volunteer=volunteer).exists()


def test_only_town_or_county_staff_nominate(volunteer, city_officer, regions):
    with pytest.raises(ServiceError, match="乡镇或县级"):
        _nominate(city_officer, volunteer)
    village = StaffFactory(username="village1", home_region_id="140521100001")
    with pytest.raises(ServiceError, match="乡镇或县级"):
        _nominate(village, volunteer)


def test_the_awarding_level_is_the_nominators_or_above(volunteer, longgang_officer):
    with pytest.raises(ServiceError) as exc:
        _nominate(longgang_officer, volunteer, awarding="140525")
    assert exc.value.field == "awarding_region"


def test_the_same_honour_is_nominated_once(volunteer, longgang_officer):
    _nominate(longgang_officer, volunteer)
    with pytest.raises(ServiceError, match="推荐过"):
        _nominate(longgang_officer, volunteer)


def test_trainings_and_evaluations_are_recorded_on_her(volunteer, qinshui_officer):
    services.training_record(
        by=qinshui_officer, volunteer=volunteer, topic="儿童心理", held_on=TODAY, hours="3.5", organiser="沁水县妇联"
    )
    with pytest.raises(ServiceError) as exc:
        services.training_record(
            by=qinshui_officer, volunteer=volunteer, topic="x", held_on=TODAY, hours="abc", organiser="y"
        )
    assert exc.value.field == "hours"
    services.evaluation_record(by=qinshui_officer, volunteer=volunteer, year=2026, grade="excellent", comment="好")
    services.evaluation_record(by=qinshui_officer, volunteer=volunteer, year=2026, grade="good")
    assert [t.topic for t in selectors.trainings_of(volunteer=volunteer)] == ["儿童心理"]
    assert [e.get_grade_display() for e in selectors.evaluations_of(volunteer=volunteer)] == ["合格"]
