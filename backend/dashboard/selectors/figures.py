"""Coverage figures (全覆盖) of a region and of each region one level below it.

Figures are computed per village from the records (``village_figures_live``) and stored
once a day by ``services.summary_refresh``. A page sums the stored rows of its villages
with one grouped query (``GROUP BY substr(village, 1, n)``, where ``n`` is the code length
of the level below the region shown) and computes live only the villages whose records
changed since (marked by triggers, see ``backend/dashboard/models.py``) or whose row is
of an earlier day. So the figures always match the records, and a province page costs
about what a village page does.

Definitions (see docs/dashboard.md):

- registered: children in the file (status active), by category;
- paired: registered children with at least one *active* pairing (paused ones do not count);
- coverage: paired / registered;
- checked in 30 / 90 days: registered children with a check-in (CheckInChild) dated
  within the last 30 / 90 days, today included;
- overdue pairings: ``backend.checkins.selectors.pairings_overdue`` in the region (by
  the child's village);
- open concerns: concerns not yet closed (待处理 or 已受理);
- active volunteers: volunteers in post (status active), by their village; their load is
  current pairings (active or paused, as the pairing engine counts capacity) / capacity;
- lapsed volunteers: active volunteers with an active pairing and no check-in in the
  last 60 days;
- applications waiting: applications pending or waiting for more information;
- check-ins per month: check-ins (CheckIn) by the volunteers of the region.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.utils.translation import gettext_lazy as _

from backend.checkins.models import CheckIn, CheckInChild, DueState
from backend.children.models import Child, Concern
from backend.dashboard.models import DirtyVillage, SummaryDay, VillageFigures
from backend.regions.models import Region
from backend.regions.selectors import region_children
from backend.volunteers.models import Application, Volunteer
from pairing.models import Pairing

LAPSED_VOLUNTEER_DAYS = 60
MONTHS = 12
# Volunteers by load (current pairings / capacity), for the chart and the export.
LOAD_BUCKETS = (
    ("idle", _("未结对")),
    ("partial", _("未满额")),
    ("full", _("已满额")),
    ("over", _("超额")),
)
# The counted figures, in the order of the live queries' columns and of the stored row.
COUNTS = (
    "registered",
    "left_behind",
    "in_difficulty",
    "paired",
    "checked_30",
    "checked_90",
    "overdue",
    "open_concerns",
    "volunteers",
    "volunteer_pairings",
    "volunteer_capacity",
    "lapsed_volunteers",
    "applications_waiting",
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
    overdue: int = 0
    open_concerns: int = 0
    volunteers: int = 0
    volunteer_pairings: int = 0
    volunteer_capacity: int = 0
    lapsed_volunteers: int = 0
    applications_waiting: int = 0
    load_buckets: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _label in LOAD_BUCKETS})
    # Check-ins by the region's volunteers in each of the last 12 months, oldest first.
    checkins_by_month: list[int] = field(default_factory=lambda: [0] * MONTHS)

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

    def add(self, counts: dict) -> None:
        """Add counts (``COUNTS``, ``load_<bucket>`` and ``checkins_by_month``) to these figures."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + counts.get(name, 0))
        for key, _label in LOAD_BUCKETS:
            self.load_buckets[key] += counts.get(f"load_{key}", 0)
        for i, n in enumerate(counts.get("checkins_by_month") or ()):
            self.checkins_by_month[i] += n

    def counts(self) -> dict:
        """Return these figures in the form ``add`` takes."""
        return (
            {name: getattr(self, name) for name in COUNTS}
            | {f"load_{key}": n for key, n in self.load_buckets.items()}
            | {"checkins_by_month": self.checkins_by_month}
        )


def _window_start(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days - 1)


def first_month(today: datetime.date, months: int = MONTHS) -> datetime.date:
    """Return the first day of the oldest of the ``months`` months ending with today's."""
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


# --- computed from the records ------------------------------------------------


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def village_figures_live(*, villages: Sequence[str], today: datetime.date) -> dict[str, dict]:
    """Return ``{village: counts}`` computed from the records, for the given village codes.

    Villages without any record are left out. Each village's children and volunteers are
    read on the village index (a LATERAL subquery per village; OFFSET 0 keeps PostgreSQL
    from flattening it into a hash join over the whole table) and each row is probed on
    its own indexes (scalar subqueries with LIMIT 1), so the cost follows the number of
    villages asked for, whatever the size of the tables.
    """
    villages = sorted(set(villages))
    if not villages:
        return {}
    child, pairing, link = Child._meta.db_table, Pairing._meta.db_table, CheckInChild._meta.db_table
    concern, due = Concern._meta.db_table, DueState._meta.db_table
    volunteer, checkin, application = Volunteer._meta.db_table, CheckIn._meta.db_table, Application._meta.db_table
    out: dict[str, dict] = {}

    def row(village: str) -> dict:
        if village not in out:
            out[village] = dict.fromkeys(COUNTS, 0) | {f"load_{k}": 0 for k, _l in LOAD_BUCKETS}
            out[village]["checkins_by_month"] = [0] * MONTHS
        return out[village]

    children_sql = f"""
        SELECT village_id, count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND category = %s),
               count(*) FILTER (WHERE active AND category = %s), count(*) FILTER (WHERE active AND paired),
               count(*) FILTER (WHERE active AND seen_30), count(*) FILTER (WHERE active AND seen_90),
               coalesce(sum(overdue), 0), coalesce(sum(concerns), 0)
        FROM (
            SELECT c.village_id, c.status = %s AS active, c.category,
                   (SELECT 1 FROM {pairing} pp WHERE pp.child_id = c.id AND pp.status = %s LIMIT 1)
                       IS NOT NULL AS paired,
                   (SELECT 1 FROM {link} l3 WHERE l3.child_id = c.id
                           AND l3.occurred_on BETWEEN %s AND %s LIMIT 1) IS NOT NULL AS seen_30,
                   (SELECT 1 FROM {link} l9 WHERE l9.child_id = c.id
                           AND l9.occurred_on BETWEEN %s AND %s LIMIT 1) IS NOT NULL AS seen_90,
                   (SELECT count(*) FROM {pairing} op WHERE op.child_id = c.id AND op.status = %s
                        AND EXISTS (SELECT 1 FROM {due} od WHERE od.pairing_id = op.id
                                    AND od.next_due_on < %s AND od.satisfied_on IS NULL)) AS overdue,
                   (SELECT count(*) FROM {concern} cc WHERE cc.child_id = c.id AND cc.status <> %s) AS concerns
            FROM unnest(%s::varchar[]) AS q(village)
                 CROSS JOIN LATERAL (SELECT * FROM {child} WHERE village_id = q.village OFFSET 0) c
        ) AS per_child
        GROUP BY village_id
    """
    children_params = [
        Child.Category.LEFT_BEHIND,
        Child.Category.IN_DIFFICULTY,
        Child.Status.ACTIVE,
        Pairing.Status.ACTIVE,
        _window_start(today, 30),
        today,
        _window_start(today, 90),
        today,
        Pairing.Status.ACTIVE,
        today,
        Concern.Status.CLOSED,
        villages,
    ]
    for village, *counts in _fetch(children_sql, children_params):
        row(village).update(zip(COUNTS[:8], counts, strict=True))

    volunteers_sql = f"""
        SELECT village_id, count(*), coalesce(sum(n), 0), coalesce(sum(capacity), 0),
               count(*) FILTER (WHERE has_active AND NOT seen),
               count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 0 AND n < capacity),
               count(*) FILTER (WHERE n = capacity), count(*) FILTER (WHERE n > capacity)
        FROM (
            SELECT v.village_id, v.capacity,
                   (SELECT count(*) FROM {pairing} p WHERE p.volunteer_id = v.id AND p.status IN (%s, %s)) AS n,
                   (SELECT 1 FROM {pairing} a WHERE a.volunteer_id = v.id AND a.status = %s LIMIT 1)
                       IS NOT NULL AS has_active,
                   (SELECT 1 FROM {checkin} k WHERE k.volunteer_id = v.id
                           AND k.occurred_on BETWEEN %s AND %s LIMIT 1) IS NOT NULL AS seen
            FROM unnest(%s::varchar[]) AS q(village)
                 CROSS JOIN LATERAL (SELECT * FROM {volunteer} WHERE village_id = q.village OFFSET 0) v
            WHERE v.status = %s
            OFFSET 0  -- keep n computed once per volunteer, not once per FILTER that reads it
        ) AS per_volunteer
        GROUP BY village_id
    """
    volunteers_params = [
        Pairing.Status.ACTIVE,
        Pairing.Status.PAUSED,
        Pairing.Status.ACTIVE,
        _window_start(today, LAPSED_VOLUNTEER_DAYS),
        today,
        villages,
        Volunteer.Status.ACTIVE,
    ]
    load_keys = [f"load_{key}" for key, _label in LOAD_BUCKETS]
    for village, *counts in _fetch(volunteers_sql, volunteers_params):
        row(village).update(zip(COUNTS[8:12] + tuple(load_keys), counts, strict=True))

    waiting_sql = (
        f"SELECT a.village_id, count(*) FROM unnest(%s::varchar[]) AS q(village)"
        f" JOIN {application} a ON a.village_id = q.village WHERE a.status = ANY(%s) GROUP BY 1"
    )
    for village, n in _fetch(waiting_sql, [villages, list(Application.OPEN_STATUSES)]):
        row(village)["applications_waiting"] = n

    months = _month_starts(today)
    for (village, month), n in _months_live(villages, today).items():
        row(village)["checkins_by_month"][months.index(month)] += n
    return out


def _month_starts(today: datetime.date) -> list[datetime.date]:
    out, month = [], first_month(today)
    for _i in range(MONTHS):
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def _months_live(villages: list[str], today: datetime.date) -> dict[tuple[str, datetime.date], int]:
    """Return ``{(village, first day of month): check-ins}`` of the last 12 months, by the volunteer's village."""
    # LATERAL: each volunteer's year on the (volunteer, date) index, never a scan of the year's check-ins.
    sql = f"""
        SELECT v.village_id, k.month, sum(k.n)
        FROM unnest(%s::varchar[]) AS q(village)
             CROSS JOIN LATERAL (SELECT * FROM {Volunteer._meta.db_table} WHERE village_id = q.village OFFSET 0) v
        CROSS JOIN LATERAL (
            SELECT date_trunc('month', occurred_on)::date AS month, count(*) AS n
            FROM {CheckIn._meta.db_table}
            WHERE volunteer_id = v.id AND occurred_on BETWEEN %s AND %s
            GROUP BY 1
        ) k
        GROUP BY 1, 2
    """
    return {(village, month): int(n) for village, month, n in _fetch(sql, [villages, first_month(today), today])}


# --- read from the stored rows, live where they are out of date ----------------


def villages_out_of_date(*, prefix: str, today: datetime.date) -> list[str]:
    """Return the villages under ``prefix`` whose stored figures may not match the records."""
    like = prefix + "%"
    if SummaryDay.objects.filter(as_of=today).exists():
        # Every village's row for today was stored: only changes since then are out of date.
        return [
            v
            for (v,) in _fetch(
                f"SELECT DISTINCT village FROM {DirtyVillage._meta.db_table} WHERE village LIKE %s", [like]
            )
        ]
    sql = f"""
        SELECT village FROM {DirtyVillage._meta.db_table} WHERE village LIKE %s
        UNION SELECT village FROM {VillageFigures._meta.db_table} WHERE village LIKE %s
              GROUP BY village HAVING bool_and(as_of <> %s)
    """
    return [village for (village,) in _fetch(sql, [like, like, today])]


def _stored_sums(*, prefix: str, length: int, today: datetime.date, skip: list[str]) -> dict[str, dict]:
    columns = list(COUNTS) + [f"load_{key}" for key, _label in LOAD_BUCKETS]
    sums = [f"sum(f.{c})" for c in columns] + [f"sum(f.checkins_by_month[{i + 1}])" for i in range(MONTHS)]
    sql = f"""
        SELECT substr(f.village, 1, %s), {", ".join(sums)}
        FROM {VillageFigures._meta.db_table} f LEFT JOIN unnest(%s::varchar[]) AS s(village) ON s.village = f.village
        WHERE f.village LIKE %s AND f.as_of = %s AND s.village IS NULL
        GROUP BY 1
    """
    out = {}
    for k, *values in _fetch(sql, [length, skip, prefix + "%", today]):
        values = [int(v) for v in values]
        out[k] = dict(zip(columns, values, strict=False)) | {"checkins_by_month": values[len(columns) :]}
    return out


def region_figures(
    *, region: Region | None, today: datetime.date, out_of_date: list[str] | None = None
) -> tuple[Figures, list[Figures]]:
    """Return the region's own figures and one row per region one level below it.

    ``region`` None means the whole tree (superusers): the rows are the top regions.
    ``out_of_date`` is ``villages_out_of_date`` of the region, if the caller has it already.
    """
    subregions = list(region_children(region=region))
    if region is None:
        total = Figures(code="", name=str(_("全部")))
    else:
        total = Figures(code=region.code, name=region.name)
    prefix = region.code if region else ""
    # The code length of the rows (a village has none: its own figures only).
    length = len(subregions[0].code) if subregions else len(prefix) or 2

    groups: dict[str, Figures] = {}

    def row(k: str) -> Figures:
        if k not in groups:
            groups[k] = Figures(code=k, name=k)
        return groups[k]

    live = villages_out_of_date(prefix=prefix, today=today) if out_of_date is None else out_of_date
    for k, counts in _stored_sums(prefix=prefix, length=length, today=today, skip=live).items():
        row(k).add(counts)
    for village, counts in village_figures_live(villages=live, today=today).items():
        row(village[:length]).add(counts)

    # The total adds every group, so a record under a missing intermediate region still counts.
    for r in groups.values():
        total.add(r.counts())
    rows = []
    for sub in subregions:
        r = groups.get(sub.code) or Figures(code=sub.code, name=sub.name)
        r.name = sub.name
        rows.append(r)
    return total, rows


def checkins_by_month(*, figures: Figures, today: datetime.date) -> list[dict]:
    """Return the region's check-ins per month (by the volunteers' village) for the chart, oldest first."""
    return [
        {"month": month.strftime("%Y-%m"), "checkins": n}
        for month, n in zip(_month_starts(today), figures.checkins_by_month, strict=True)
    ]
