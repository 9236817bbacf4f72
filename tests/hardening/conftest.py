"""A small world with one object of each kind in and out of each role's region.

Shared by the fuzzing, access-matrix and hostile-input tests. The roles are the ones
the issue names: anonymous, volunteer, child director, village/town/county/city staff,
superuser.
"""

import datetime

import pytest
from django.utils import timezone

from backend.regions.models import Region
from pairing.models import Pairing, PairingRun, Proposal, RunUnmatched
from tests.children.factories import ChildFactory, ConcernFactory
from tests.factories import ChildDirectorFactory, StaffFactory, SuperuserFactory, VolunteerUserFactory
from tests.notifications.factories import MessageFactory
from tests.volunteers.factories import ApplicationFactory, CaringUnitFactory, TeamFactory, VolunteerFactory

ROLES = ("anonymous", "volunteer", "director", "village", "town", "county", "city", "superuser")

# Every staff user's own village (柳庄社区, 沁水县龙港镇) and, per role, a village outside her region.
IN_VILLAGE = "140521100001"
OUT_VILLAGE = {
    "anonymous": "140525100001",
    "volunteer": "140525100001",
    "director": "140521101200",  # 中村镇, same county
    "village": "140521100002",  # another village of the same town
    "town": "140521101200",
    "county": "140525100001",  # 泽州县
    "city": "140105001001",  # 太原市, another city
    "superuser": "140105001001",  # nothing is outside a superuser's region
}

EXTRA_REGIONS = (
    ("1401", "太原市", 2, "14"),
    ("140105", "小店区", 3, "1401"),
    ("140105001", "坞城街道", 4, "140105"),
    ("140105001001", "坞城社区", 5, "140105001"),
)


def _ensure_extra_regions():
    for code, name, level, parent in EXTRA_REGIONS:
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "full_name": name, "level": level, "parent_id": parent}
        )


def _objects_in(village: str, *, programme, suffix: str, staff) -> dict:
    """One child, concern, application, volunteer, unit, team, pairing, run, proposal, message in a village."""
    child = ChildFactory(village_id=village, given_name=f"童{suffix}")
    concern = ConcernFactory(child=child)
    application = ApplicationFactory(programme=programme, village_id=village, name=f"申请人{suffix}")
    volunteer = VolunteerFactory(programme=programme, village_id=village, name=f"妈妈{suffix}")
    unit = CaringUnitFactory(region_id=village[:6], name=f"爱心单位{suffix}")
    team = TeamFactory(programme=programme, region_id=village[:9], name=f"小分队{suffix}")
    pairing = Pairing.objects.create(
        programme=programme,
        child=child,
        volunteer=volunteer,
        started_on=datetime.date(2026, 1, 1),
        created_by=staff,
    )
    second_child = ChildFactory(village_id=village, given_name=f"待结对{suffix}")
    run = PairingRun.objects.create(programme=programme, region_id=village[:6], started_by=staff)
    proposal = Proposal.objects.create(run=run, child=second_child, volunteer=volunteer, score=1)
    unmatched = RunUnmatched.objects.create(run=run, child=second_child, code="all_full", reason="附近的志愿者都已满额")
    message = MessageFactory(region_id=village, status="failed")
    activity, session, signup, wish, article = _activities_in(village, child=child, staff=staff)
    records = _records_in(volunteer, staff=staff)
    return {
        **records,
        "activity": activity,
        "session": session,
        "signup": signup,
        "wish": wish,
        "article": article,
        "child": child,
        "concern": concern,
        "application": application,
        "volunteer": volunteer,
        "unit": unit,
        "team": team,
        "pairing": pairing,
        "run": run,
        "proposal": proposal,
        "unmatched": unmatched,
        "message": message,
    }


def _activities_in(village: str, *, child, staff):
    """An activity of the village open for sign-ups, its session, a child's sign-up, a wish, an article."""
    from backend.activities.models import Activity, Article, Signup, Wish
    from backend.activities.services import sessions_build

    now = timezone.now()
    activity = Activity.objects.create(
        region_id=village,
        kind=Activity.Kind.CAMP,
        title=f"夏令营{village[-4:]}",
        place="文化站",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=6),
        capacity_children=5,
        capacity_guardians=5,
        capacity_volunteers=5,
        signup_opens_at=now - datetime.timedelta(days=1),
        signup_closes_at=now + datetime.timedelta(days=9),
        created_by=staff,
    )
    session = sessions_build(activity=activity)[0]
    signup = Signup.objects.create(
        activity=activity, audience="child", child=child, status="confirmed", channel="staff", consent_by="监护人"
    )
    wish = Wish.objects.create(child=child, item="课外书", estimated_value=50, status="published", recorded_by=staff)
    article = Article.objects.create(region_id=village, title=f"家庭教育{village[-4:]}", body="正文", created_by=staff)
    return activity, session, signup, wish, article


def _records_in(volunteer, *, staff) -> dict:
    """A pending 补录, a nomination and a final certificate of the volunteer (backend/records)."""
    from backend.records.models import Certificate, Nomination, ServiceEntry
    from backend.records.services import issuer_for

    entry = ServiceEntry.objects.create(
        volunteer=volunteer,
        source="staff",
        served_on=datetime.date(2026, 1, 5),
        starts_at=datetime.time(9),
        ends_at=datetime.time(11),
        minutes=90,
        content="寒假关爱活动",
        reason="补签",
        status="pending",
        entered_by=staff,
    )
    nomination = Nomination.objects.create(
        volunteer=volunteer,
        title="优秀爱心妈妈",
        year=2025,
        statement="坚持走访",
        awarding_region_id=volunteer.village_id[:6],
        current_region_id=volunteer.village_id[:6],
        nominated_by=staff,
    )
    issuer = issuer_for(region=Region.objects.get(code=volunteer.village_id[:6]))
    issuer.last_number += 1
    issuer.save(update_fields=["last_number"])
    issued_on = datetime.date(2026, 1, 10)
    certificate = Certificate.objects.create(
        volunteer=volunteer,
        issuer=issuer,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 9),
        status="issued",
        number=f"{issuer.prefix}-2026-{issuer.last_number:06d}",
        serial=issuer.last_number,
        minutes=90,
        content="入户走访1次",
        issued_on=issued_on,
        publicity_ends_on=issued_on + datetime.timedelta(days=7),
    )
    return {"entry": entry, "nomination": nomination, "certificate": certificate}


@pytest.fixture
def world(regions, programme):
    """Users of every role and one object of each kind in IN_VILLAGE and in each out-of-region village."""
    _ensure_extra_regions()
    users = {
        "anonymous": None,
        "volunteer": VolunteerUserFactory(username="h_mama"),
        "director": ChildDirectorFactory(username="h_director", village_codes=[IN_VILLAGE]),
        "village": StaffFactory(username="h_village", home_region_id=IN_VILLAGE),
        "town": StaffFactory(username="h_town", home_region_id="140521100"),
        "county": StaffFactory(username="h_county", home_region_id="140521"),
        "city": StaffFactory(username="h_city", home_region_id="1405"),
        "superuser": SuperuserFactory(username="h_root"),
    }
    staff = users["superuser"]
    objects = {"in": _objects_in(IN_VILLAGE, programme=programme, suffix="在辖", staff=staff)}
    for village in sorted(set(OUT_VILLAGE.values())):
        objects[village] = _objects_in(village, programme=programme, suffix=f"辖外{village[-4:]}", staff=staff)
    # The volunteer user is the caring mother of the in-region child.
    own = objects["in"]["volunteer"]
    own.user = users["volunteer"]
    own.phone = users["volunteer"].phone
    own.save(update_fields=["user", "phone"])
    return {"users": users, "objects": objects, "now": timezone.now()}


def target(world, role: str, where: str) -> dict:
    """The objects a (role, in/out) cell is about."""
    return world["objects"]["in" if where == "in" else OUT_VILLAGE[role]]
