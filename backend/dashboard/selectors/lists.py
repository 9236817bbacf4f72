"""Lists that lead to action: unpaired children, lapsed pairings, lapsed volunteers, open concerns.

Their sizes are figures of the region (``figures.region_figures``); these queries fetch
only the first rows to show, oldest or most overdue first.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from backend.accounts.selectors import EVERYTHING, RegionScope
from backend.checkins.models import CheckIn, DueState
from backend.checkins.selectors import pairings_overdue
from backend.children.models import Child, Concern
from backend.dashboard.selectors.figures import LAPSED_VOLUNTEER_DAYS, checkins_by_month, region_figures
from backend.regions.models import Region
from backend.volunteers.models import Volunteer
from pairing.models import Pairing

LIST_LIMIT = 50
# The export carries the lists in full, up to this many rows each.
EXPORT_LIST_LIMIT = 10_000
# From a county down (codes this long or longer) a region's few thousand rows are probed
# one by one on their indexes; for a city or province, walking or hashing in order is cheaper.
NARROW_SCOPE_LENGTH = 6


def _scope(region: Region | None) -> RegionScope:
    return EVERYTHING if region is None else RegionScope(prefixes=(region.code,))


def _narrow(region: Region | None) -> bool:
    return region is not None and len(region.code) >= NARROW_SCOPE_LENGTH


def _probe(qs: QuerySet) -> Subquery:
    """Return ``(SELECT 1 FROM qs LIMIT 1)``: 1 if a row exists, else NULL.

    A scalar subquery, evaluated per row on the index and stopped at the first match
    (often from the index alone); PostgreSQL never turns it into a hash join of the whole
    table, as it may an EXISTS.
    """
    return Subquery(qs.order_by().annotate(_one=Value(1)).values("_one")[:1])


def _masked_child_name(family_name: str, given_name: str) -> str:
    # Lists are read by more people than open a child's file: never the full name.
    return family_name + "*" * max(1, len(given_name))


def mask_phone(phone: str) -> str:
    """Return a phone number with its middle hidden: +86138****5678."""
    if not phone:
        return ""
    return phone[:-8] + "****" + phone[-4:] if len(phone) > 8 else "*" * len(phone)


def unpaired_children(
    *, region: Region | None, limit: int = LIST_LIMIT, count: int | None = None
) -> tuple[int, list[dict]]:
    """Return how many registered children have no active pairing, and the first ``limit`` (oldest first).

    Pass ``count`` when it is already known (the region's figures) to save a query.
    """
    scope = _scope(region)
    qs = Child.objects.filter(scope.q("village_id"), status=Child.Status.ACTIVE)
    active_pairings = Pairing.objects.filter(child=OuterRef("pk"), status=Pairing.Status.ACTIVE)
    if not _narrow(region):
        qs = qs.exclude(Exists(active_pairings))
    else:
        # A scalar probe per child on the index; PostgreSQL would otherwise
        # hash every active pairing of the province for a few hundred children.
        qs = qs.annotate(_p=_probe(active_pairings)).filter(_p__isnull=True)
    # The first ids from the village index alone, then those rows' details.
    first = list(qs.order_by("created_at", "id").values_list("id", flat=True)[:limit])
    rows = list(
        Child.objects.filter(pk__in=first)
        .order_by("created_at", "id")
        .values(
            "id",
            "family_name",
            "given_name",
            "village_id",
            "village__full_name",
            "category",
            "risk_level",
            "created_at",
        )
    )
    count = qs.count() if count is None else count
    categories = dict(Child.Category.choices)
    return count, [
        {
            "id": r["id"],
            "name": _masked_child_name(r["family_name"], r["given_name"]),
            "village": r["village__full_name"],
            "village_code": r["village_id"],
            "category": str(categories.get(r["category"], r["category"])),
            "risk_level": r["risk_level"],
            "registered_on": r["created_at"].date().isoformat(),
        }
        for r in rows
    ]


def _overdue_in(*, region: Region | None, today: datetime.date) -> QuerySet[Pairing]:
    """Return the region's pairings ``pairings_overdue`` returns, as a semi-join PostgreSQL can hash or probe."""
    open_due = DueState.objects.filter(pairing=OuterRef("pk"), next_due_on__lt=today, satisfied_on__isnull=True)
    qs = Pairing.objects.filter(_scope(region).q("child__village_id"), status=Pairing.Status.ACTIVE)
    if _narrow(region):
        # A county's few thousand pairings, each probed on the due states' index.
        return qs.annotate(_p=_probe(open_due)).filter(_p__isnull=False)
    return qs.filter(Exists(open_due))


def _most_overdue(*, region: Region | None, today: datetime.date, limit: int) -> list[int]:
    """Return the ids of the ``limit`` pairings with the oldest unmet due dates (ties by id)."""
    if _narrow(region):
        # A county: its pairings probed for an open due date, then those pairings' oldest.
        return list(
            DueState.objects.filter(
                pairing__in=_overdue_in(region=region, today=today).values("pk"),
                next_due_on__lt=today,
                satisfied_on__isnull=True,
            )
            .order_by()
            .values("pairing_id")
            .annotate(since=Min("next_due_on"))
            .order_by("since", "pairing_id")
            .values_list("pairing_id", flat=True)[:limit]
        )
    # A province or city: walk the open due states in date order (their partial index) and
    # keep each pairing at its first, oldest, appearance, rather than group them all.
    walk = DueState.objects.filter(
        _scope(region).q("pairing__child__village_id"),
        next_due_on__lt=today,
        satisfied_on__isnull=True,
        pairing__status=Pairing.Status.ACTIVE,
    ).order_by("next_due_on", "pairing_id")
    found: dict[int, None] = {}
    batch, offset = max(limit * 8, 100), 0
    while len(found) < limit:
        ids = list(walk.values_list("pairing_id", flat=True)[offset : offset + batch])
        for pairing_id in ids:
            found.setdefault(pairing_id)
        if len(ids) < batch:
            break
        offset += batch
    return list(found)[:limit]


def lapsed_pairings(
    *, region: Region | None, today: datetime.date, limit: int = LIST_LIMIT, count: int | None = None
) -> tuple[int, list[dict]]:
    """Return the overdue pairings in the region (most overdue first), with the volunteer to contact."""
    first = _most_overdue(region=region, today=today, limit=limit)
    rows = list(
        pairings_overdue(today=today)
        .filter(pk__in=first)
        .order_by("overdue_since", "id")
        .values(
            "id",
            "overdue_since",
            "child__family_name",
            "child__given_name",
            "child__village__full_name",
            "volunteer_id",
            "volunteer__name",
            "volunteer__phone",
            "team_id",
            "team__name",
        )
    )
    if count is None:
        count = _overdue_in(region=region, today=today).count()
    return count, [
        {
            "id": r["id"],
            "child": _masked_child_name(r["child__family_name"], r["child__given_name"]),
            "village": r["child__village__full_name"],
            "volunteer_id": r["volunteer_id"],
            "volunteer": r["volunteer__name"] or r["team__name"],
            "team_id": r["team_id"],
            "phone": mask_phone(r["volunteer__phone"] or ""),
            "overdue_since": r["overdue_since"].isoformat(),
            "overdue_days": (today - r["overdue_since"]).days,
        }
        for r in rows
    ]


def lapsed_volunteers(
    *, region: Region | None, today: datetime.date, limit: int = LIST_LIMIT, count: int | None = None
) -> tuple[int, list[dict]]:
    """Return active volunteers with a current pairing and no check-in in the last 60 days."""
    days = LAPSED_VOLUNTEER_DAYS
    since = today - datetime.timedelta(days=days - 1)
    qs = Volunteer.objects.filter(_scope(region).q("village_id"), status=Volunteer.Status.ACTIVE)
    active = Pairing.objects.filter(volunteer=OuterRef("pk"), status=Pairing.Status.ACTIVE)
    seen = CheckIn.objects.filter(volunteer=OuterRef("pk"), occurred_on__range=(since, today))
    if _narrow(region):
        # A county's few hundred volunteers, each probed on the pairing and (volunteer, date)
        # check-in indexes; as semi-joins PostgreSQL would hash 60 days of the province's check-ins.
        qs = qs.annotate(_active=_probe(active), _seen=_probe(seen)).filter(_active__isnull=False, _seen__isnull=True)
    else:
        qs = qs.filter(Exists(active)).exclude(Exists(seen))
    # The first ids from the village index alone, then those rows' details.
    first = list(qs.order_by("village_id", "id").values_list("id", flat=True)[:limit])
    rows = list(
        Volunteer.objects.filter(pk__in=first)
        .order_by("village_id", "id")
        .values("id", "name", "phone", "village__full_name")
    )
    last = dict(
        CheckIn.objects.filter(volunteer_id__in=[r["id"] for r in rows])
        .order_by()
        .values("volunteer_id")
        .annotate(last=Max("occurred_on"))
        .values_list("volunteer_id", "last")
    )
    for r in rows:
        r["last_checkin"] = last.get(r["id"])
    count = qs.count() if count is None else count
    return count, [
        {
            "id": r["id"],
            "name": r["name"],
            "phone": mask_phone(r["phone"]),
            "village": r["village__full_name"],
            "last_checkin": r["last_checkin"].isoformat() if r["last_checkin"] else None,
        }
        for r in rows
    ]


def open_concerns(
    *, region: Region | None, today: datetime.date, limit: int = LIST_LIMIT, count: int | None = None
) -> tuple[int, list[dict]]:
    """Return the concerns not yet closed, oldest first, with their age in days."""
    qs = Concern.objects.filter(_scope(region).q("child__village_id"), ~Q(status=Concern.Status.CLOSED))
    rows = list(
        qs.order_by("created_at", "id").values(
            "id",
            "created_at",
            "status",
            "severity",
            "category",
            "child__family_name",
            "child__given_name",
            "child__village__full_name",
        )[:limit]
    )
    count = qs.count() if count is None else count
    severities, statuses = dict(Concern.Severity.choices), dict(Concern.Status.choices)
    categories = dict(Concern.Category.choices)
    return count, [
        {
            "id": r["id"],
            "child": _masked_child_name(r["child__family_name"], r["child__given_name"]),
            "village": r["child__village__full_name"],
            "severity": str(severities.get(r["severity"], r["severity"])),
            "severity_code": r["severity"],
            "category": str(categories.get(r["category"], r["category"])),
            "status": str(statuses.get(r["status"], r["status"])),
            "raised_on": timezone.localtime(r["created_at"]).date().isoformat(),
            "age_days": (today - timezone.localtime(r["created_at"]).date()).days,
        }
        for r in rows
    ]


def dashboard_data(*, region: Region | None, today: datetime.date, list_limit: int = LIST_LIMIT) -> dict:
    """Return everything the dashboard page, API and export show for a region."""
    total, rows = region_figures(region=region, today=today)
    # The lists' sizes are figures of the region already counted above.
    unpaired_n, unpaired = unpaired_children(region=region, limit=list_limit, count=total.unpaired)
    lapsed_n, lapsed = lapsed_pairings(region=region, today=today, limit=list_limit, count=total.overdue)
    idle_n, idle = lapsed_volunteers(region=region, today=today, limit=list_limit, count=total.lapsed_volunteers)
    concerns_n, concerns = open_concerns(region=region, today=today, limit=list_limit, count=total.open_concerns)
    return {
        "today": today,
        "region": region,
        "total": total,
        "rows": rows,
        "months": checkins_by_month(figures=total, today=today),
        "overdue_available": True,
        "lists": {
            "unpaired": {"count": unpaired_n, "rows": unpaired},
            "lapsed_pairings": {"count": lapsed_n, "rows": lapsed},
            "lapsed_volunteers": {"count": idle_n, "rows": idle},
            "open_concerns": {"count": concerns_n, "rows": concerns},
        },
    }
