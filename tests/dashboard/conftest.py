"""A known data set across villages, towns and counties, and the figures computed from its rows."""

import datetime
import random

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.checkins.models import CheckIn, CheckInChild, ContactRule, DueState
from backend.children.models import Child, Concern
from backend.regions.models import Region
from backend.volunteers.models import Application, Volunteer
from pairing.models import Pairing
from tests.children.factories import ChildFactory, ConcernFactory
from tests.volunteers.factories import ApplicationFactory, VolunteerFactory

QINSHUI, ZEZHOU = "140521", "140525"


def _villages(prefix: str, towns: int, per_town: int) -> list[str]:
    town_codes = list(
        Region.objects.filter(code__startswith=prefix, level=Region.Level.TOWN).values_list("code", flat=True)[:towns]
    )
    out = []
    for town in town_codes:
        out += list(
            Region.objects.filter(code__startswith=town, level=Region.Level.VILLAGE).values_list("code", flat=True)[
                :per_town
            ]
        )
    return out


def build_dataset(programme, *, seed: int = 8, today: datetime.date) -> dict:
    """Create children, volunteers, pairings, check-ins, concerns and applications at random."""
    rng = random.Random(seed)
    villages = _villages(QINSHUI, towns=3, per_town=3) + _villages(ZEZHOU, towns=2, per_town=2)
    volunteers = []
    for i in range(24):
        status = rng.choice([Volunteer.Status.ACTIVE] * 5 + [Volunteer.Status.SUSPENDED])
        # A user without a password: hashing one per volunteer would be most of the test's time.
        user = User.objects.create(username=f"dv{seed}-{i}", role=User.Role.VOLUNTEER, phone=f"+86137{seed:04d}{i:04d}")
        volunteers.append(
            VolunteerFactory(
                user=user,
                programme=programme,
                village_id=rng.choice(villages),
                capacity=rng.choice([1, 2, 3]),
                status=status,
                status_reason="" if status == Volunteer.Status.ACTIVE else Volunteer.ExitReason.OTHER,
            )
        )
    children = []
    for _i in range(60):
        category = rng.choice([Child.Category.LEFT_BEHIND, Child.Category.IN_DIFFICULTY])
        exited = rng.random() < 0.1
        children.append(
            ChildFactory(
                village_id=rng.choice(villages),
                category=category,
                difficulty_subtype=Child.DifficultySubtype.POVERTY if category == Child.Category.IN_DIFFICULTY else "",
                status=Child.Status.EXITED if exited else Child.Status.ACTIVE,
                exit_reason=Child.ExitReason.MOVED_AWAY if exited else "",
                exited_on=today - datetime.timedelta(days=5) if exited else None,
            )
        )
    pairings = []
    for child in children:
        for volunteer in rng.sample(volunteers, rng.choice([0, 0, 1, 1, 1, 2])):
            status = rng.choice([Pairing.Status.ACTIVE] * 4 + [Pairing.Status.PAUSED, Pairing.Status.ENDED])
            ended = status == Pairing.Status.ENDED
            pairings.append(
                Pairing.objects.create(
                    programme=programme,
                    child=child,
                    volunteer=volunteer,
                    status=status,
                    started_on=today - datetime.timedelta(days=200),
                    ended_on=today - datetime.timedelta(days=3) if ended else None,
                    end_reason=Pairing.EndReason.OTHER if ended else "",
                )
            )
    for pairing in pairings:
        for _n in range(rng.choice([0, 1, 2, 3])):
            day = today - datetime.timedelta(days=rng.choice([0, 10, 29, 30, 45, 60, 61, 89, 90, 120, 300, 400]))
            checkin = CheckIn.objects.create(
                volunteer=pairing.volunteer, kind=CheckIn.Kind.PHONE_CALL, occurred_on=day, source=CheckIn.Source.STAFF
            )
            CheckInChild.objects.create(checkin=checkin, child=pairing.child, pairing=pairing, occurred_on=day)
    rule, _created = ContactRule.objects.get_or_create(programme=programme, name="每月联系")
    for pairing in pairings:
        if rng.random() < 0.6:
            due = today + datetime.timedelta(days=rng.choice([-20, -1, 0, 5]))
            DueState.objects.create(pairing=pairing, rule=rule, next_due_on=due)
    for child in rng.sample(children, 15):
        status = rng.choice(list(Concern.Status.values))
        ConcernFactory(
            child=child,
            status=status,
            closing_note="已转介乡镇社工站" if status == Concern.Status.CLOSED else "",
            closed_at=timezone.now() if status == Concern.Status.CLOSED else None,
        )
    for _i in range(12):
        ApplicationFactory(
            programme=programme, village_id=rng.choice(villages), status=rng.choice(Application.Status.values)
        )
    return {"villages": villages}


def expected_overdue_ids(today: datetime.date) -> set[int]:
    """Return the active pairings with an unmet due date before today."""
    active = {p.id for p in Pairing.objects.all() if p.status == "active"}
    return {
        d.pairing_id
        for d in DueState.objects.all()
        if d.pairing_id in active and d.next_due_on < today and d.satisfied_on is None
    }


def expected_figures(prefix: str, *, today: datetime.date) -> dict:
    """Compute the figures of a region from the rows, in plain Python (no grouping in SQL)."""
    overdue_ids = expected_overdue_ids(today)
    children = [c for c in Child.objects.all() if c.village_id.startswith(prefix) and c.status == "active"]
    ids = {c.id for c in children}
    pairings = list(Pairing.objects.all())
    paired = {p.child_id for p in pairings if p.status == "active" and p.child_id in ids}
    links = list(CheckInChild.objects.all())

    def seen(days):
        start = today - datetime.timedelta(days=days - 1)
        return len({x.child_id for x in links if x.child_id in ids and start <= x.occurred_on <= today})

    volunteers = [v for v in Volunteer.objects.all() if v.village_id.startswith(prefix) and v.status == "active"]
    current = {}
    for p in pairings:
        if p.volunteer_id and p.status in ("active", "paused"):
            current[p.volunteer_id] = current.get(p.volunteer_id, 0) + 1
    buckets = {"idle": 0, "partial": 0, "full": 0, "over": 0}
    for v in volunteers:
        n = current.get(v.id, 0)
        key = "idle" if n == 0 else "partial" if n < v.capacity else "full" if n == v.capacity else "over"
        buckets[key] += 1
    # Lapsed: an active pairing and no check-in in the last 60 days, today included.
    checkins = list(CheckIn.objects.all())
    since = today - datetime.timedelta(days=59)
    with_active = {p.volunteer_id for p in pairings if p.status == "active"}
    seen_60 = {k.volunteer_id for k in checkins if since <= k.occurred_on <= today}
    # Check-ins per month by the region's volunteers (any status), the 12 months ending with today's.
    months = []
    month = today.replace(day=1)
    for _i in range(12):
        months.insert(0, month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    in_region = {v.id for v in Volunteer.objects.all() if v.village_id.startswith(prefix)}
    by_month = [
        sum(
            1
            for k in checkins
            if k.volunteer_id in in_region
            and (k.occurred_on.year, k.occurred_on.month) == (m.year, m.month)
            and k.occurred_on <= today
        )
        for m in months
    ]
    registered = len(children)
    n_paired = len(paired)
    capacity = sum(v.capacity for v in volunteers)
    loads = sum(current.get(v.id, 0) for v in volunteers)
    return {
        "registered": registered,
        "left_behind": sum(c.category == "left_behind" for c in children),
        "in_difficulty": sum(c.category == "in_difficulty" for c in children),
        "paired": n_paired,
        "unpaired": registered - n_paired,
        "coverage": round(100 * n_paired / registered, 1) if registered else None,
        "checked_30": seen(30),
        "checked_90": seen(90),
        "overdue": sum(
            1
            for p in pairings
            if p.id in overdue_ids and Child.objects.get(pk=p.child_id).village_id.startswith(prefix)
        ),
        "open_concerns": sum(
            1
            for c in Concern.objects.select_related("child")
            if c.child.village_id.startswith(prefix) and c.status != "closed"
        ),
        "volunteers": len(volunteers),
        "volunteer_pairings": loads,
        "volunteer_capacity": capacity,
        "load": round(100 * loads / capacity, 1) if capacity else None,
        "load_buckets": buckets,
        "lapsed_volunteers": sum(1 for v in volunteers if v.id in with_active and v.id not in seen_60),
        "checkins_by_month": by_month,
        "applications_waiting": sum(
            1
            for a in Application.objects.all()
            if a.village_id.startswith(prefix) and a.status in ("pending", "more_info")
        ),
    }


def expected_lists(prefix: str, *, today: datetime.date) -> dict[str, list[int]]:
    """Return the ids of each dashboard list in the region, in order, computed from the rows in plain Python."""
    in_region = {c.id: c for c in Child.objects.all() if c.village_id.startswith(prefix)}
    pairings = list(Pairing.objects.all())
    active = [p for p in pairings if p.status == "active"]
    paired = {p.child_id for p in active}
    unpaired = sorted((c.created_at, c.id) for c in in_region.values() if c.status == "active" and c.id not in paired)
    overdue_since = {}
    for d in DueState.objects.all():
        if d.next_due_on < today and d.satisfied_on is None:
            overdue_since[d.pairing_id] = min(d.next_due_on, overdue_since.get(d.pairing_id, d.next_due_on))
    lapsed_pairings = sorted(
        (overdue_since[p.id], p.id) for p in active if p.child_id in in_region and p.id in overdue_since
    )
    # Silent longest first: the day of the last check-in (up to today), else when she joined.
    last: dict[int, datetime.date] = {}
    for k in CheckIn.objects.filter(occurred_on__lte=today):
        last[k.volunteer_id] = max(k.occurred_on, last.get(k.volunteer_id, k.occurred_on))
    since = today - datetime.timedelta(days=59)
    with_active = {p.volunteer_id for p in active}

    def silent_since(v: Volunteer) -> datetime.datetime:
        if v.id in last:
            return datetime.datetime.combine(last[v.id], datetime.time(0), tzinfo=datetime.UTC)
        return v.joined_at

    lapsed_volunteers = sorted(
        (silent_since(v), v.id)
        for v in Volunteer.objects.all()
        if v.village_id.startswith(prefix)
        and v.status == "active"
        and v.id in with_active
        and (v.id not in last or last[v.id] < since)
    )
    concerns = sorted(
        (c.created_at, c.id) for c in Concern.objects.all() if c.child_id in in_region and c.status != "closed"
    )
    return {
        "unpaired": [i for _key, i in unpaired],
        "lapsed_pairings": [i for _key, i in lapsed_pairings],
        "lapsed_volunteers": [i for _key, i in lapsed_volunteers],
        "open_concerns": [i for _key, i in concerns],
    }


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def dataset(regions, programme, today):
    return build_dataset(programme, today=today)
