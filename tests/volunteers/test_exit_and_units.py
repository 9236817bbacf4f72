import pytest

from backend.ops.errors import ConflictError, ServiceError
from backend.volunteers.models import CaringUnit, Volunteer
from backend.volunteers.services import (
    caring_unit_register,
    team_create,
    volunteer_status_change,
    volunteer_withdraw,
)
from notifications.models import Message
from tests.volunteers.factories import CaringUnitFactory, VolunteerFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(programme):
    return VolunteerFactory(programme=programme)


@pytest.mark.parametrize("reason", ["moved_away", "inactive", "misconduct", "own_request"])
def test_staff_end_a_volunteer_with_a_reason_and_date(volunteer, qinshui_officer, reason):
    volunteer_status_change(volunteer=volunteer, status="ended", by=qinshui_officer, reason=reason, note="说明")
    volunteer.refresh_from_db()
    assert volunteer.status == "ended" and volunteer.status_reason == reason and volunteer.ended_on
    change = volunteer.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "ended", qinshui_officer)
    assert "已退出" in Message.objects.get(template="volunteer_status_changed").body


def test_suspend_then_reinstate(volunteer, qinshui_officer):
    volunteer_status_change(volunteer=volunteer, status="suspended", by=qinshui_officer, reason="inactive")
    volunteer_status_change(volunteer=volunteer, status="active", by=qinshui_officer)
    volunteer.refresh_from_db()
    assert volunteer.status == "active" and volunteer.status_reason == ""
    assert volunteer.status_changes.count() == 2


def test_suspension_needs_a_reason(volunteer, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        volunteer_status_change(volunteer=volunteer, status="suspended", by=qinshui_officer)
    assert info.value.field == "reason"
    assert Volunteer.objects.get(pk=volunteer.pk).status == "active"


def test_an_ended_volunteer_stays_ended(volunteer, qinshui_officer):
    volunteer_withdraw(volunteer=volunteer, note="搬家")
    assert Volunteer.objects.get(pk=volunteer.pk).status_reason == "own_request"
    with pytest.raises(ConflictError):
        volunteer_status_change(volunteer=volunteer, status="active", by=qinshui_officer)


def test_staff_cannot_end_a_volunteer_outside_their_region(volunteer, zezhou_officer):
    with pytest.raises(ServiceError):
        volunteer_status_change(volunteer=volunteer, status="ended", by=zezhou_officer, reason="inactive")


def test_register_a_caring_unit_with_a_valid_uscc(qinshui_officer, regions):
    code = make_uscc()
    unit = caring_unit_register(
        name="沁水县人民医院",
        uscc=code.lower(),
        region=regions.get(code="140521"),
        contact_name="赵医生",
        contact_phone="13800138000",
        by=qinshui_officer,
    )
    assert unit.uscc == code and unit.contact_phone == "+8613800138000"


@pytest.mark.parametrize("bad", ["", "91140500MA0K00001", "91140500MA0K000010", "ZZZZZZZZZZZZZZZZZZ"])
def test_invalid_uscc_is_refused(qinshui_officer, regions, bad):
    with pytest.raises(ServiceError) as info:
        caring_unit_register(
            name="单位", uscc=bad, region=regions.get(code="140521"), contact_name="李", by=qinshui_officer
        )
    assert info.value.field == "uscc"
    assert "统一社会信用代码" in info.value.message
    assert not CaringUnit.objects.exists()


def test_a_unit_is_registered_once(qinshui_officer, regions):
    unit = CaringUnitFactory()
    with pytest.raises(ConflictError):
        caring_unit_register(
            name="另一个", uscc=unit.uscc, region=regions.get(code="140521"), contact_name="李", by=qinshui_officer
        )


def test_unit_outside_the_officers_region_is_refused(qinshui_officer, regions):
    with pytest.raises(ServiceError):
        caring_unit_register(
            name="泽州单位", uscc=make_uscc(), region=regions.get(code="140525"), contact_name="李", by=qinshui_officer
        )


def test_team_must_serve_the_programmes_area(programme, qinshui_officer, regions):
    team = team_create(
        programme=programme, name="龙港镇小分队", region=regions.get(code="140521100"), by=qinshui_officer
    )
    assert team.region_id == "140521100"
    with pytest.raises(ConflictError):
        team_create(programme=programme, name="龙港镇小分队", region=regions.get(code="140521100"), by=qinshui_officer)


def test_ending_a_volunteer_ends_her_pairings_and_flags_the_children(volunteer, qinshui_officer, programme):
    from django.utils import timezone

    from pairing.models import Pairing
    from pairing.selectors import children_awaiting_pairing
    from tests.children.factories import ChildFactory
    from tests.volunteers.factories import TeamFactory

    child = ChildFactory()
    other_child = ChildFactory()
    team = TeamFactory(programme=programme)
    own = Pairing.objects.create(programme=programme, child=child, volunteer=volunteer, started_on=timezone.localdate())
    team_pairing = Pairing.objects.create(
        programme=programme, child=other_child, team=team, started_on=timezone.localdate()
    )
    # when
    volunteer_status_change(volunteer=volunteer, status="ended", by=qinshui_officer, reason="moved_away")
    # then: her own pairing ended with the reason; the team's goes on
    own.refresh_from_db()
    team_pairing.refresh_from_db()
    assert own.status == "ended" and own.end_reason == "volunteer_exited" and "迁居外地" in own.end_note
    assert team_pairing.status == "active"
    flagged = {c.pk: c.needs_repairing for c in children_awaiting_pairing(region_code="140521")}
    assert flagged.get(child.pk) is True
    assert other_child.pk not in flagged


def test_suspending_a_volunteer_leaves_her_pairings(volunteer, qinshui_officer, programme):
    from django.utils import timezone

    from pairing.models import Pairing
    from tests.children.factories import ChildFactory

    pairing = Pairing.objects.create(
        programme=programme, child=ChildFactory(), volunteer=volunteer, started_on=timezone.localdate()
    )
    volunteer_status_change(volunteer=volunteer, status="suspended", by=qinshui_officer, reason="inactive")
    pairing.refresh_from_db()
    assert pairing.status == "active"
