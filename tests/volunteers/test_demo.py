import pytest

from backend.demo.context import DemoContext
from backend.volunteers import demo
from backend.volunteers.models import Application, CaringUnit, Team, Volunteer
from backend.volunteers.selectors import application_flags

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(programme, qinshui_officer, zezhou_officer):
    ctx = DemoContext()
    ctx.objects.update({"programme": programme, "user:qinshui": qinshui_officer, "user:zezhou": zezhou_officer})
    return ctx


def test_demo_seeds_volunteers_teams_units_and_a_queue(context):
    demo.seed(context)
    volunteers = Volunteer.objects.all()
    assert volunteers.count() == 40
    assert {v.village_id[:6] for v in volunteers} == {"140521", "140525"}
    assert all(v.village.level == 5 for v in volunteers)
    assert len({tuple(v.skills) for v in volunteers}) > 5
    assert len({v.capacity for v in volunteers}) > 2
    assert Team.objects.count() == 3 and all(t.members.exists() for t in Team.objects.all())
    assert CaringUnit.objects.count() == 4
    queue = Application.objects.filter(status__in=["pending", "more_info"])
    assert queue.count() == 10
    flags = [f for a in queue for f in application_flags(application=a)]
    assert "duplicate" in flags and "age_outside_range" in flags


def test_demo_is_idempotent(context):
    demo.seed(context)
    counts = (Volunteer.objects.count(), Application.objects.count(), Team.objects.count(), CaringUnit.objects.count())
    demo.seed(context)
    assert counts == (
        Volunteer.objects.count(),
        Application.objects.count(),
        Team.objects.count(),
        CaringUnit.objects.count(),
    )


def test_demo_id_numbers_are_valid(context):
    from backend.privacy.idnumbers import parse_resident_id

    demo.seed(context)
    for application in Application.objects.all():
        assert parse_resident_id(application.id_number).birth_date == application.birth_date
