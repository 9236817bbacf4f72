"""Coverage figures (全覆盖) of a region and of each region one level below it.

Every figure comes from a fixed number of grouped queries: each query groups its rows by
the first ``n`` characters of the village code (``GROUP BY substr(village_id, 1, n)``),
where ``n`` is the code length of the level below the region shown. So a province page
costs the same number of queries as a village page, whatever the number of rows.

Definitions (see docs/dashboard.md):

- registered: children in the file (status active), by category;
- paired: registered children with at least one *active* pairing (paused ones do not count);
- coverage: paired / registered;
- checked in 30 / 90 days: registered children with a check-in (CheckInChild) dated
  within the last 30 / 90 days, today included;
- overdue pairings: ``backend.checkins.selectors.pairings_overdue`` in the region;
- open concerns: concerns not yet closed (待处理 or 已受理);
- active volunteers: volunteers in post (status active), by their village; their load is
  current pairings (active or paused, as the pairing engine counts capacity) / capacity;
- applications waiting: applications pending or waiting for more information.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, F, Func, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import EVERYTHING, RegionScope, user_region_scope
from backend.checkins.models import CheckIn, CheckInChild
from backend.children.models import Child, Concern
from backend.regions.models import Region
from backend.regions.selectors import region_children
from backend.volunteers.models import Application, Volunteer
from pairing.models import Pairing

LIST_LIMIT = 50
# The export carries the lists in full, up to this many rows each.
EXPORT_LIST_LIMIT = 10_000
LAPSED_VOLUNTEER_DAYS = 60
# Volunteers by load (current pairings / capacity), for the chart and the export.
LOAD_BUCKETS = (
    ("idle", _("未结对 / none")),
    ("partial", _("未满额 / below capacity")),
    ("full", _("已满额 / at capacity")),
    ("over", _("超额 / over capacity")),
)


@dataclass
class Figures:
    """The figures of one region (a row of the table, or the region's own total)."""

    code: str
    name: str
    registered: int = 0
    left_behind: int = 0
    in_difficulty: int = 0
    paired: int = 0
    checked_30: int = 0
    checked_90: int = 0
    overdue: int | None = 0
    open_concerns: int = 0
    volunteers: int = 0
    volunteer_pairings: int = 0
    volunteer_capacity: int = 0
    applications_waiting: int = 0
    load_buckets: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _label in LOAD_BUCKETS})

    @property
    def unpaired(self) -> int:
        return self.registered - self.paired

    @property
    def coverage(self) -> float | None:
        """Return paired / registered in percent (one decimal), or None without children."""
        return round(100 * self.paired / self.registered, 1) if self.registered else None

    @property
    def load(self) -> float | None:
        """Return current pairings / capacity of the active volunteers in percent."""
        return round(100 * self.volunteer_pairings / self.volunteer_capacity, 1) if self.volunteer_capacity else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(unpaired=self.unpaired, coverage=self.coverage, load=self.load)
        return data

    def add(self, other: Figures) -> None:
        for name in (
            "registered",
            "left_behind",
            "in_difficulty",
            "paired",
            "checked_30",
            "checked_90",
            "open_concerns",
            "volunteers",
            "volunteer_pairings",
            "volunteer_capacity",
            "applications_waiting",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.overdue = None if self.overdue is None or other.overdue is None else self.overdue + other.overdue
        for key, n in other.load_buckets.items():
            self.load_buckets[key] += n


def _overdue_selector():
    """Return the check-ins app's overdue selector, or None while it does not exist."""
    try:
        from backend.checkins.selectors import pairings_overdue
    except ImportError:  # pragma: no cover - the check-ins work landed separately
        return None
    return pairings_overdue


def _count_of(qs: QuerySet) -> Coalesce:
    """Return ``(SELECT count(*) FROM qs)`` as a per-row expression (never turned into a hash join)."""
    return Coalesce(
        Subquery(
            qs.order_by()
            .annotate(_one=Value(1))
            .values("_one")
            .annotate(_c=Func(F("pk"), function="COUNT"))
            .values("_c")[:1]
        ),
        0,
    )


def _overdue_pairings(today: datetime.date) -> QuerySet[Pairing]:
    """Return the pairings ``pairings_overdue`` returns, as a semi-join that PostgreSQL can hash.

    Same definition (an active pairing with an unmet due date before today), but without
    grouping every pairing to find its oldest due date: counting needs only existence.
    A test checks that both give the same pairings.
    """
    from backend.checkins.models import DueState

    return Pairing.objects.filter(
        Exists(DueState.objects.filter(pairing=OuterRef("pk"), next_due_on__lt=today, satisfied_on__isnull=True)),
        status=Pairing.Status.ACTIVE,
    )


# --- which region ---------------------------------------------------------


def dashboard_can_view(user: User) -> bool:
    """Return whether the user may open the dashboard at all (federation staff, superusers)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.role == User.Role.STAFF and user.home_region_id))
    )


def dashboard_home_code(*, user: User) -> str | None:
    """Return the code of the region the user starts at (None: the top of the tree, superusers)."""
    if not dashboard_can_view(user):
        raise PermissionDenied
    return None if user.is_superuser else user.home_region_id


def dashboard_region(*, user: User, code: str | None) -> Region | None:
    """Return the region the user asked for, or 404 if it is outside her area (or unknown).

    A staff user may drill down from her home region; above or sideways is 404, so the
    page does not even confirm that the region exists.
    """
    if not dashboard_can_view(user):
        raise PermissionDenied
    if code is None:
        if user.is_superuser:
            return None
        code = user.home_region_id
    if not user_region_scope(user).contains(code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def region_breadcrumbs(*, user: User, region: Region | None) -> list[Region]:
    """Return the regions from the user's top down to ``region`` (links for drilling up)."""
    if region is None:
        return []
    top = 0 if user.is_superuser else len(user.home_region_id)
    codes = [c for c in region.ancestor_codes() if len(c) >= top]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


# --- the figures ------------------------------------------------------------


def _scope(region: Region | None) -> RegionScope:
    return EVERYTHING if region is None else RegionScope(prefixes=(region.code,))


def _grouped(qs: QuerySet, column: str, length: int, **aggregates) -> dict[str, dict]:
    """Return ``{code prefix: {aggregate: value}}`` for one GROUP BY substr(column, 1, length)."""
    rows = qs.order_by().annotate(_k=Substr(column, 1, length)).values("_k").annotate(**aggregates)
    return {row.pop("_k"): row for row in rows}


def _window(today: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=days - 1), today


def _volunteer_load_rows(scope: RegionScope, length: int) -> dict[str, dict]:
    """Return volunteers, their capacity, current pairings and load buckets by region prefix.

    One statement: current pairings are counted per volunteer in a derived table (a
    hash join, not a subquery per volunteer), then grouped by region.
    """
    volunteer_table = Volunteer._meta.db_table
    pairing_table = Pairing._meta.db_table
    prefixes = [] if scope.everything else [p + "%" for p in scope.prefixes]
    where = "".join([" AND (" + " OR ".join("v.village_id LIKE %s" for _p in prefixes) + ")"] if prefixes else [])
    inner_prefixes = prefixes if not _inner_scope(scope).everything else []
    inner_where = where.replace("v.", "iv.") if inner_prefixes else ""
    sql = f"""
        SELECT substr(v.village_id, 1, %s) AS k, count(*), sum(v.capacity), sum(coalesce(p.n, 0)),
               count(*) FILTER (WHERE coalesce(p.n, 0) = 0),
               count(*) FILTER (WHERE p.n > 0 AND p.n < v.capacity),
               count(*) FILTER (WHERE p.n = v.capacity),
               count(*) FILTER (WHERE p.n > v.capacity)
        FROM {volunteer_table} v
        LEFT JOIN (
            SELECT ip.volunteer_id, count(*) AS n
            FROM {pairing_table} ip {"JOIN " + volunteer_table + " iv ON iv.id = ip.volunteer_id" if inner_prefixes else ""}
            WHERE ip.status IN ('active', 'paused') AND ip.volunteer_id IS NOT NULL{inner_where}
            GROUP BY ip.volunteer_id
        ) p ON p.volunteer_id = v.id
        WHERE v.status = 'active'{where}
        GROUP BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [length, *inner_prefixes, *prefixes])
        out = {}
        for k, n, capacity, pairings, idle, partial, full, over in cursor.fetchall():
            out[k] = {
                "volunteers": n,
                "volunteer_capacity": int(capacity or 0),
                "volunteer_pairings": int(pairings or 0),
                "load_buckets": {"idle": idle, "partial": partial, "full": full, "over": over},
            }
        return out


def _like(scope: RegionScope, column: str) -> tuple[str, list[str]]:
    """Return an SQL condition (with its parameters) keeping ``column`` inside the scope."""
    if scope.everything:
        return "TRUE", []
    if not scope.prefixes:
        return "FALSE", []
    return "(" + " OR ".join(f"{column} LIKE %s" for _p in scope.prefixes) + ")", [p + "%" for p in scope.prefixes]


# Below this code length (a county) the derived tables are limited to the region through
# the child's village (an index range); above it, a province or city covers most rows and
# joining the wide children table again costs more than aggregating the narrow table whole.
NARROW_SCOPE_LENGTH = 6


def _inner_scope(scope: RegionScope) -> RegionScope:
    if scope.everything or any(len(p) < NARROW_SCOPE_LENGTH for p in scope.prefixes):
        return EVERYTHING
    return scope


def _children_rows_narrow(
    scope: RegionScope, length: int, today: datetime.date, *, with_overdue: bool
) -> dict[str, dict]:
    """Return the child figures of a county or smaller region, with overdue pairings and open concerns.

    A county holds a few thousand children: read them on the village index and probe
    each one's pairings, check-ins, due states and concerns on their indexes (scalar
    subqueries with LIMIT 1, which PostgreSQL never turns into a hash of the whole
    table as it may an EXISTS), rather than hash whole tables. All children are read (the overdue and
    concern figures do not depend on the child's status); the others count active ones.
    """
    child, pairing, link = Child._meta.db_table, Pairing._meta.db_table, CheckInChild._meta.db_table
    concern = Concern._meta.db_table
    c_where, c_params = _like(scope, "c.village_id")
    start_30, _end = _window(today, 30)
    start_90, _end = _window(today, 90)
    overdue_sql = "0"
    overdue_params: list = []
    if with_overdue:
        from backend.checkins.models import DueState

        overdue_sql = f"""(SELECT count(*) FROM {pairing} op WHERE op.child_id = c.id AND op.status = %s
            AND EXISTS (SELECT 1 FROM {DueState._meta.db_table} od WHERE od.pairing_id = op.id
                        AND od.next_due_on < %s AND od.satisfied_on IS NULL))"""
        overdue_params = [Pairing.Status.ACTIVE, today]
    sql = f"""
        SELECT k, count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND category = %s),
               count(*) FILTER (WHERE active AND category = %s), count(*) FILTER (WHERE active AND paired),
               count(*) FILTER (WHERE active AND seen_90), count(*) FILTER (WHERE active AND seen_30),
               coalesce(sum(overdue), 0), coalesce(sum(concerns), 0)
        FROM (
            SELECT substr(c.village_id, 1, %s) AS k, c.status = %s AS active, c.category,
                   (SELECT 1 FROM {pairing} pp WHERE pp.child_id = c.id AND pp.status = %s LIMIT 1)
                       IS NOT NULL AS paired,
                   (SELECT 1 FROM {link} l9 WHERE l9.child_id = c.id
                           AND l9.occurred_on BETWEEN %s AND %s LIMIT 1) IS NOT NULL AS seen_90,
                   (SELECT 1 FROM {link} l3 WHERE l3.child_id = c.id
                           AND l3.occurred_on BETWEEN %s AND %s LIMIT 1) IS NOT NULL AS seen_30,
                   {overdue_sql} AS overdue,
                   (SELECT count(*) FROM {concern} cc WHERE cc.child_id = c.id AND cc.status <> %s) AS concerns
            FROM {child} c
            WHERE {c_where}
        ) AS per_child
        GROUP BY k
    """
    params = [
        Child.Category.LEFT_BEHIND,
        Child.Category.IN_DIFFICULTY,
        length,
        Child.Status.ACTIVE,
        Pairing.Status.ACTIVE,
        start_90,
        today,
        start_30,
        today,
        *overdue_params,
        Concern.Status.CLOSED,
        *c_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            k: {
                "registered": n,
                "left_behind": left,
                "in_difficulty": difficult,
                "paired": paired,
                "checked_90": seen_90,
                "checked_30": seen_30,
                **({"overdue": int(overdue)} if with_overdue else {}),
                "open_concerns": int(concerns),
            }
            for k, n, left, difficult, paired, seen_90, seen_30, overdue, concerns in cursor.fetchall()
        }


def _children_rows(scope: RegionScope, length: int, today: datetime.date) -> dict[str, dict]:
    """Return registered (by category), paired and checked-in children by region prefix, in one statement.

    Children are scanned once; the paired children and the last check-in of each child
    in the last 90 days come from derived tables limited to the same region (hash joins).
    """
    child, pairing, link = Child._meta.db_table, Pairing._meta.db_table, CheckInChild._meta.db_table
    c_where, c_params = _like(scope, "c.village_id")
    inner = _inner_scope(scope)
    p_where, p_params = _like(inner, "pc.village_id")
    x_where, x_params = _like(inner, "xc.village_id")
    start_30, _end = _window(today, 30)
    start_90, _end = _window(today, 90)
    sql = f"""
        SELECT substr(c.village_id, 1, %s) AS k, count(*),
               count(*) FILTER (WHERE c.category = %s), count(*) FILTER (WHERE c.category = %s),
               count(p.child_id), count(x.child_id), count(*) FILTER (WHERE x.last_on >= %s)
        FROM {child} c
        LEFT JOIN (
            SELECT DISTINCT pp.child_id FROM {pairing} pp {"JOIN " + child + " pc ON pc.id = pp.child_id" if p_params else ""}
            WHERE pp.status = %s AND {p_where}
        ) p ON p.child_id = c.id
        LEFT JOIN (
            SELECT xl.child_id, max(xl.occurred_on) AS last_on
            FROM {link} xl {"JOIN " + child + " xc ON xc.id = xl.child_id" if x_params else ""}
            WHERE xl.occurred_on BETWEEN %s AND %s AND {x_where}
            GROUP BY xl.child_id
        ) x ON x.child_id = c.id
        WHERE c.status = %s AND {c_where}
        GROUP BY 1
    """
    params = [
        length,
        Child.Category.LEFT_BEHIND,
        Child.Category.IN_DIFFICULTY,
        start_30,
        Pairing.Status.ACTIVE,
        *p_params,
        start_90,
        today,
        *x_params,
        Child.Status.ACTIVE,
        *c_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            k: {
                "registered": n,
                "left_behind": left,
                "in_difficulty": difficult,
                "paired": paired,
                "checked_90": seen_90,
                "checked_30": seen_30,
            }
            for k, n, left, difficult, paired, seen_90, seen_30 in cursor.fetchall()
        }


def region_figures(*, region: Region | None, today: datetime.date) -> tuple[Figures, list[Figures]]:
    """Return the region's own figures and one row per region one level below it.

    ``region`` None means the whole tree (superusers): the rows are the top regions.
    """
    if region is None:
        subregions = list(region_children(region=None))
        total = Figures(code="", name=str(_("全部 / All")))
    else:
        subregions = list(region_children(region=region))
        total = Figures(code=region.code, name=region.name)
    if subregions:
        length = len(subregions[0].code)
    else:  # a village: its own figures only
        length = len(region.code) if region else 2
    scope = _scope(region)

    groups: dict[str, Figures] = {}

    def row(k: str) -> Figures:
        if k not in groups:
            groups[k] = Figures(code=k, name=k)
        return groups[k]

    overdue_selector = _overdue_selector()
    narrow = not _inner_scope(scope).everything
    if narrow:
        child_rows = _children_rows_narrow(scope, length, today, with_overdue=overdue_selector is not None)
    else:
        child_rows = _children_rows(scope, length, today)
    for k, v in child_rows.items():
        r = row(k)
        for name, value in v.items():
            setattr(r, name, value)

    if not narrow:
        if overdue_selector is not None:
            overdue = _overdue_pairings(today).filter(scope.q("child__village_id"))
            for k, v in _grouped(overdue, "child__village_id", length, n=Count("id")).items():
                row(k).overdue = v["n"]
        concerns = Concern.objects.filter(scope.q("child__village_id"), ~Q(status=Concern.Status.CLOSED))
        for k, v in _grouped(concerns, "child__village_id", length, n=Count("id")).items():
            row(k).open_concerns = v["n"]

    for k, v in _volunteer_load_rows(scope, length).items():
        r = row(k)
        r.volunteers, r.volunteer_capacity, r.volunteer_pairings = (
            v["volunteers"],
            v["volunteer_capacity"],
            v["volunteer_pairings"],
        )
        r.load_buckets = v["load_buckets"]

    waiting = Application.objects.filter(scope.q("village_id"), status__in=Application.OPEN_STATUSES)
    for k, v in _grouped(waiting, "village_id", length, n=Count("id")).items():
        row(k).applications_waiting = v["n"]

    if overdue_selector is None:
        for r in groups.values():
            r.overdue = None
        total.overdue = None
    # The total adds every group, so a record under a missing intermediate region still counts.
    for r in groups.values():
        total.add(r)
    rows = []
    for sub in subregions:
        r = groups.get(sub.code) or Figures(code=sub.code, name=sub.name)
        if overdue_selector is None:
            r.overdue = None
        r.name = sub.name
        rows.append(r)
    return total, rows


def checkins_by_month(*, region: Region | None, today: datetime.date, months: int = 12) -> list[dict]:
    """Return the number of check-ins (CheckIn, by the volunteer's village) per month, oldest first."""
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    scope = _scope(region)
    if _inner_scope(scope).everything:
        by_region = scope.q("volunteer__village_id")
    else:
        # A county's few hundred volunteers, then their check-ins on the volunteer index
        # (joining on the village range makes PostgreSQL scan a year of the province's).
        by_region = Q(
            volunteer_id__in=list(Volunteer.objects.filter(scope.q("village_id")).values_list("id", flat=True))
        )
    qs = (
        CheckIn.objects.filter(by_region, occurred_on__range=(first, today))
        .order_by()
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(n=Count("id"))
    )
    counts = {row["month"].strftime("%Y-%m"): row["n"] for row in qs}
    out, month = [], first
    for _i in range(months):
        key = month.strftime("%Y-%m")
        out.append({"month": key, "checkins": counts.get(key, 0)})
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


# --- lists that lead to action ----------------------------------------------


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
    if _inner_scope(scope).everything:
        qs = qs.exclude(Exists(active_pairings))
    else:
        # A scalar count is probed per child on the index; PostgreSQL would otherwise
        # hash every active pairing of the province for a few hundred children.
        qs = qs.annotate(_n=_count_of(active_pairings)).filter(_n=0)
    rows = list(
        qs.order_by("created_at", "id").values(
            "id",
            "family_name",
            "given_name",
            "village_id",
            "village__full_name",
            "category",
            "risk_level",
            "created_at",
        )[:limit]
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


def lapsed_pairings(
    *, region: Region | None, today: datetime.date, limit: int = LIST_LIMIT, count: int | None = None
) -> tuple[int, list[dict]]:
    """Return the overdue pairings in the region (most overdue first), with the volunteer to contact."""
    selector = _overdue_selector()
    if selector is None:
        return 0, []
    from backend.checkins.models import DueState

    scope = _scope(region)
    if _inner_scope(scope).everything:
        overdue = _overdue_pairings(today).filter(scope.q("child__village_id"))
    else:
        open_due = DueState.objects.filter(pairing=OuterRef("pk"), next_due_on__lt=today, satisfied_on__isnull=True)
        overdue = (
            Pairing.objects.filter(scope.q("child__village_id"), status=Pairing.Status.ACTIVE)
            .annotate(_n=_count_of(open_due))
            .filter(_n__gt=0)
        )
    # The oldest unmet due dates first, found on the due states' index; then the rows
    # themselves from the check-ins app's selector.
    first = (
        DueState.objects.filter(pairing__in=overdue.values("pk"), next_due_on__lt=today, satisfied_on__isnull=True)
        .order_by()
        .values("pairing_id")
        .annotate(since=Min("next_due_on"))
        .order_by("since", "pairing_id")
        .values_list("pairing_id", flat=True)[:limit]
    )
    rows = list(
        selector(today=today)
        .filter(pk__in=list(first))
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
    count = overdue.count() if count is None else count
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
    *, region: Region | None, today: datetime.date, days: int = LAPSED_VOLUNTEER_DAYS, limit: int = LIST_LIMIT
) -> tuple[int, list[dict]]:
    """Return active volunteers with a current pairing and no check-in in the last ``days`` days."""
    since = today - datetime.timedelta(days=days - 1)
    qs = (
        Volunteer.objects.filter(_scope(region).q("village_id"), status=Volunteer.Status.ACTIVE)
        .filter(Exists(Pairing.objects.filter(volunteer=OuterRef("pk"), status=Pairing.Status.ACTIVE)))
        .exclude(Exists(CheckIn.objects.filter(volunteer=OuterRef("pk"), occurred_on__range=(since, today))))
    )
    rows = list(qs.order_by("village_id", "id").values("id", "name", "phone", "village__full_name")[:limit])
    last = dict(
        CheckIn.objects.filter(volunteer_id__in=[r["id"] for r in rows])
        .order_by()
        .values("volunteer_id")
        .annotate(last=Max("occurred_on"))
        .values_list("volunteer_id", "last")
    )
    for r in rows:
        r["last_checkin"] = last.get(r["id"])
    count = qs.count()
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
    from django.utils import timezone

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
    idle_n, idle = lapsed_volunteers(region=region, today=today, limit=list_limit)
    concerns_n, concerns = open_concerns(region=region, today=today, limit=list_limit, count=total.open_concerns)
    return {
        "today": today,
        "region": region,
        "total": total,
        "rows": rows,
        "months": checkins_by_month(region=region, today=today),
        "overdue_available": _overdue_selector() is not None,
        "lists": {
            "unpaired": {"count": unpaired_n, "rows": unpaired},
            "lapsed_pairings": {"count": lapsed_n, "rows": lapsed},
            "lapsed_volunteers": {"count": idle_n, "rows": idle},
            "open_concerns": {"count": concerns_n, "rows": concerns},
        },
    }
