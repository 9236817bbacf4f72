"""Lists that lead to action: unpaired children, lapsed pairings, lapsed volunteers, open concerns.

Each list is defined once, per village, by ``village_lists_live``: which records belong in
it and in what order. Every list sorts by a time and then by id:

- unpaired children (registered, no active pairing): when the child was registered;
- lapsed pairings (``pairings_overdue``): the oldest unmet due date, most overdue first;
- lapsed volunteers (active, with an active pairing, no check-in in the last 60 days):
  silent longest first, i.e. the day of her last check-in, or, if she never checked in,
  when she joined;
- open concerns (not closed): when the concern was raised, oldest first.

A region's first ``LIST_LIMIT`` rows are among the first ``LIST_LIMIT`` of each of its
villages, so the refresh stores those per village (``VillageListEntry``) and a page reads
its region's first rows from one ordered index, computing live only the villages whose
records changed since (as for the figures). The export wants whole lists: it computes
them live for every village of the region. The lists' sizes are figures of the region
(``figures.region_figures``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Max
from django.utils import timezone

from backend.checkins.models import CheckIn, DueState
from backend.checkins.selectors import pairings_overdue
from backend.children.models import Child, Concern
from backend.dashboard.models import VillageListEntry
from backend.dashboard.selectors.figures import (
    LAPSED_VOLUNTEER_DAYS,
    _fetch,
    _window_start,
    checkins_by_month,
    region_figures,
    villages_out_of_date,
)
from backend.privacy.phones import mask_phone
from backend.regions.models import Region
from backend.volunteers.models import Volunteer
from pairing.models import Pairing

LIST_LIMIT = 50
# The export carries the lists in full, up to this many rows each.
EXPORT_LIST_LIMIT = 10_000
KINDS = tuple(VillageListEntry.Kind.values)

# (sort key, id, village) of one row of a list.
Entry = tuple[datetime.datetime, int, str]


def village_lists_live(*, villages: Sequence[str], today: datetime.date, limit: int | None) -> dict[str, list[Entry]]:
    """Return each list's rows in the given villages, computed from the records: ``{kind: [entry, ...]}``.

    At most ``limit`` rows per village and list (None: all), in each village in the list's
    order. Each village is read on its own index (a LATERAL subquery per village) and each
    record probed on its indexes (scalar subqueries), so the cost follows the villages
    asked for, whatever the size of the tables.
    """
    villages = sorted(set(villages))
    out: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
    if not villages:
        return out
    child, pairing, due = Child._meta.db_table, Pairing._meta.db_table, DueState._meta.db_table
    volunteer, checkin, concern = Volunteer._meta.db_table, CheckIn._meta.db_table, Concern._meta.db_table
    per_village = "FROM unnest(%(villages)s::varchar[]) AS q(village) CROSS JOIN LATERAL"
    # Dates sort as midnight UTC (the connection's time zone), before any time of that day.
    sql = f"""
        SELECT 'unpaired', q.village, x.key, x.id {per_village} (
            SELECT c.id, c.created_at AS key FROM {child} c
            WHERE c.village_id = q.village AND c.status = %(child_active)s
              AND (SELECT 1 FROM {pairing} p WHERE p.child_id = c.id AND p.status = %(active)s LIMIT 1) IS NULL
            ORDER BY c.created_at, c.id LIMIT %(limit)s
        ) x
        UNION ALL
        SELECT 'lapsed_pairings', q.village, x.key, x.id {per_village} (
            SELECT o.id, o.since::timestamptz AS key FROM (
                SELECT p.id, (SELECT min(d.next_due_on) FROM {due} d WHERE d.pairing_id = p.id
                              AND d.next_due_on < %(today)s AND d.satisfied_on IS NULL) AS since
                FROM {child} c JOIN {pairing} p ON p.child_id = c.id
                WHERE c.village_id = q.village AND p.status = %(active)s
                OFFSET 0
            ) o
            WHERE o.since IS NOT NULL ORDER BY o.since, o.id LIMIT %(limit)s
        ) x
        UNION ALL
        SELECT 'lapsed_volunteers', q.village, x.key, x.id {per_village} (
            SELECT w.id, coalesce(w.last::timestamptz, w.joined_at) AS key FROM (
                SELECT v.id, v.joined_at,
                       (SELECT max(k.occurred_on) FROM {checkin} k
                        WHERE k.volunteer_id = v.id AND k.occurred_on <= %(today)s) AS last
                FROM {volunteer} v
                WHERE v.village_id = q.village AND v.status = %(volunteer_active)s
                  AND (SELECT 1 FROM {pairing} a WHERE a.volunteer_id = v.id AND a.status = %(active)s LIMIT 1)
                      IS NOT NULL
                OFFSET 0
            ) w
            WHERE w.last IS NULL OR w.last < %(since)s ORDER BY 2, w.id LIMIT %(limit)s
        ) x
        UNION ALL
        SELECT 'open_concerns', q.village, x.key, x.id {per_village} (
            SELECT cc.id, cc.created_at AS key FROM {child} c JOIN {concern} cc ON cc.child_id = c.id
            WHERE c.village_id = q.village AND cc.status <> %(closed)s
            ORDER BY cc.created_at, cc.id LIMIT %(limit)s
        ) x
    """
    params = {
        "villages": villages,
        "today": today,
        "since": _window_start(today, LAPSED_VOLUNTEER_DAYS),
        "limit": limit,
        "active": Pairing.Status.ACTIVE,
        "child_active": Child.Status.ACTIVE,
        "volunteer_active": Volunteer.Status.ACTIVE,
        "closed": Concern.Status.CLOSED,
    }
    for kind, village, key, item in _fetch(sql, params):
        out[kind].append((key, item, village))
    return out


def _stored_heads(*, prefix: str, today: datetime.date, skip: list[str], limit: int) -> dict[str, list[Entry]]:
    """Return each list's first ``limit`` stored rows under ``prefix``, leaving out the villages in ``skip``."""
    table = VillageListEntry._meta.db_table
    one = f"""(
        SELECT kind, sort_key, item_id, village FROM {table}
        WHERE kind = %s AND as_of = %s AND village LIKE %s AND NOT village = ANY(%s::varchar[])
        ORDER BY sort_key, item_id LIMIT %s
    )"""
    params: list = []
    for kind in KINDS:
        params += [kind, today, prefix + "%", skip, limit]
    out: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
    for kind, key, item, village in _fetch(" UNION ALL ".join([one] * len(KINDS)), params):
        out[kind].append((key, item, village))
    return out


def _first(entries: Iterable[Entry], limit: int) -> list[int]:
    return [item for _key, item, _village in sorted(entries)[:limit]]


def list_heads(*, region: Region | None, today: datetime.date, out_of_date: list[str]) -> dict[str, list[int]]:
    """Return the ids of each list's first ``LIST_LIMIT`` rows in the region, in order.

    ``out_of_date`` are the region's villages whose stored rows may not match the records
    (``villages_out_of_date``): those are computed live, every other village is read from
    its stored entries.
    """
    prefix = region.code if region else ""
    stored = _stored_heads(prefix=prefix, today=today, skip=out_of_date, limit=LIST_LIMIT)
    live = village_lists_live(villages=out_of_date, today=today, limit=LIST_LIMIT)
    return {kind: _first(stored[kind] + live[kind], LIST_LIMIT) for kind in KINDS}


def villages_with_records(*, prefix: str) -> list[str]:
    """Return the village codes under ``prefix`` that children or volunteers are attached to."""
    sql = (
        f"SELECT village_id FROM {Child._meta.db_table} WHERE village_id LIKE %s"
        f" UNION SELECT village_id FROM {Volunteer._meta.db_table} WHERE village_id LIKE %s"
    )
    return [village for (village,) in _fetch(sql, [prefix + "%", prefix + "%"])]


def lists_in_full(*, region: Region | None, today: datetime.date, limit: int) -> dict[str, list[int]]:
    """Return the ids of each list's rows in the region (at most ``limit``), in order, computed from the records."""
    villages = villages_with_records(prefix=region.code if region else "")
    live = village_lists_live(villages=villages, today=today, limit=None)
    return {kind: _first(live[kind], limit) for kind in KINDS}


# --- the rows to show -------------------------------------------------------------


def _in_order(rows: list[dict], ids: list[int]) -> list[dict]:
    position = {item: i for i, item in enumerate(ids)}
    return sorted(rows, key=lambda r: position[r["id"]])


def _labels(choices) -> dict[str, str]:
    # Translated once per list, not once per row.
    return {value: str(label) for value, label in choices}


def _masked_child_name(family_name: str, given_name: str) -> str:
    # Lists are read by more people than open a child's file: never the full name.
    return family_name + "*" * max(1, len(given_name))


def unpaired_rows(*, ids: list[int]) -> list[dict]:
    """Return the unpaired children ``ids`` as list rows, in that order."""
    rows = Child.objects.filter(pk__in=ids).values(
        "id", "family_name", "given_name", "village_id", "village__full_name", "category", "risk_level", "created_at"
    )
    categories = _labels(Child.Category.choices)
    return [
        {
            "id": r["id"],
            "name": _masked_child_name(r["family_name"], r["given_name"]),
            "village": r["village__full_name"],
            "village_code": r["village_id"],
            "category": categories.get(r["category"], r["category"]),
            "risk_level": r["risk_level"],
            "registered_on": timezone.localtime(r["created_at"]).date().isoformat(),
        }
        for r in _in_order(list(rows), ids)
    ]


def lapsed_pairing_rows(*, ids: list[int], today: datetime.date) -> list[dict]:
    """Return the overdue pairings ``ids`` as list rows with the volunteer to contact, in that order."""
    rows = (
        pairings_overdue(today=today)
        .filter(pk__in=ids)
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
    return [
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
        for r in _in_order(list(rows), ids)
    ]


def lapsed_volunteer_rows(*, ids: list[int], today: datetime.date) -> list[dict]:
    """Return the lapsed volunteers ``ids`` as list rows with their last check-in, in that order."""
    rows = Volunteer.objects.filter(pk__in=ids).values("id", "name", "phone", "village__full_name")
    last = dict(
        CheckIn.objects.filter(volunteer_id__in=ids, occurred_on__lte=today)
        .order_by()
        .values("volunteer_id")
        .annotate(last=Max("occurred_on"))
        .values_list("volunteer_id", "last")
    )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "phone": mask_phone(r["phone"]),
            "village": r["village__full_name"],
            "last_checkin": last[r["id"]].isoformat() if r["id"] in last else None,
        }
        for r in _in_order(list(rows), ids)
    ]


def open_concern_rows(*, ids: list[int], today: datetime.date) -> list[dict]:
    """Return the open concerns ``ids`` as list rows with their age in days, in that order."""
    rows = Concern.objects.filter(pk__in=ids).values(
        "id",
        "created_at",
        "status",
        "severity",
        "category",
        "child__family_name",
        "child__given_name",
        "child__village__full_name",
    )
    severities, statuses = _labels(Concern.Severity.choices), _labels(Concern.Status.choices)
    categories = _labels(Concern.Category.choices)
    out = []
    for r in _in_order(list(rows), ids):
        raised = timezone.localtime(r["created_at"]).date()
        out.append(
            {
                "id": r["id"],
                "child": _masked_child_name(r["child__family_name"], r["child__given_name"]),
                "village": r["child__village__full_name"],
                "severity": severities.get(r["severity"], r["severity"]),
                "severity_code": r["severity"],
                "category": categories.get(r["category"], r["category"]),
                "status": statuses.get(r["status"], r["status"]),
                "raised_on": raised.isoformat(),
                "age_days": (today - raised).days,
            }
        )
    return out


def activity_months(*, region_code: str, today: datetime.date) -> list[dict]:
    """Care activities of the region per month (issue 20): held, children and guardians reached, wishes."""
    from backend.activities.selectors import activity_months as months

    return months(region_code=region_code, today=today)


def dashboard_data(*, region: Region | None, today: datetime.date, full_lists: bool = False) -> dict:
    """Return everything the dashboard page, API and export show for a region.

    The page and the API show each list's first ``LIST_LIMIT`` rows; ``full_lists`` (the
    export) gives up to ``EXPORT_LIST_LIMIT``.
    """
    out_of_date = villages_out_of_date(prefix=region.code if region else "", today=today)
    total, rows = region_figures(region=region, today=today, out_of_date=out_of_date)
    if full_lists:
        ids = lists_in_full(region=region, today=today, limit=EXPORT_LIST_LIMIT)
    else:
        ids = list_heads(region=region, today=today, out_of_date=out_of_date)
    # The lists' sizes are figures of the region already counted above.
    lists = {
        "unpaired": (total.unpaired, unpaired_rows(ids=ids["unpaired"])),
        "lapsed_pairings": (total.overdue, lapsed_pairing_rows(ids=ids["lapsed_pairings"], today=today)),
        "lapsed_volunteers": (
            total.lapsed_volunteers,
            lapsed_volunteer_rows(ids=ids["lapsed_volunteers"], today=today),
        ),
        "open_concerns": (total.open_concerns, open_concern_rows(ids=ids["open_concerns"], today=today)),
    }
    return {
        "today": today,
        "region": region,
        "total": total,
        "rows": rows,
        "months": checkins_by_month(figures=total, today=today),
        "activity_months": activity_months(region_code=region.code if region else "", today=today),
        "lists": {kind: {"count": count, "rows": list_rows} for kind, (count, list_rows) in lists.items()},
    }


def dashboard_lists(*, region: Region | None, today: datetime.date, limit: int = LIST_LIMIT) -> dict:
    """Return the action lists without the rest of the page: unpaired, lapsed pairings and volunteers.

    For the workspace's to-do home: each list's size (a figure of the region) and its first
    ``limit`` rows, read as the dashboard page reads them.
    """
    out_of_date = villages_out_of_date(prefix=region.code if region else "", today=today)
    total, _rows = region_figures(region=region, today=today, out_of_date=out_of_date)
    ids = {
        kind: found[:limit] for kind, found in list_heads(region=region, today=today, out_of_date=out_of_date).items()
    }
    return {
        "unpaired": {"count": total.unpaired, "rows": unpaired_rows(ids=ids["unpaired"])},
        "lapsed_pairings": {
            "count": total.overdue,
            "rows": lapsed_pairing_rows(ids=ids["lapsed_pairings"], today=today),
        },
        "lapsed_volunteers": {
            "count": total.lapsed_volunteers,
            "rows": lapsed_volunteer_rows(ids=ids["lapsed_volunteers"], today=today),
        },
    }


def dashboard_children_shown(data: dict) -> list[tuple[int, str]]:
    """Return (child id, village code) of every child the lists of ``dashboard_data`` show, for the audit."""
    lists = data["lists"]
    unpaired = [r["id"] for r in lists["unpaired"]["rows"]]
    pairings = [r["id"] for r in lists["lapsed_pairings"]["rows"]]
    concerns = [r["id"] for r in lists["open_concerns"]["rows"]]
    shown = set(Child.objects.filter(pk__in=unpaired).values_list("pk", "village"))
    shown |= set(Pairing.objects.filter(pk__in=pairings).values_list("child__pk", "child__village"))
    shown |= set(Concern.objects.filter(pk__in=concerns).values_list("child__pk", "child__village"))
    return sorted(shown)
