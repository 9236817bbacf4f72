"""Writes of the dashboard: storing each village's figures (see ``backend/dashboard/models.py``)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from backend.dashboard.models import DirtyVillage, SummaryDay, VillageFigures, VillageListEntry
from backend.dashboard.selectors import LIST_LIMIT, village_figures_live, village_lists_live, villages_out_of_date

logger = logging.getLogger(__name__)

REFRESH_CHUNK = 500
# A refresh of at least this many villages vacuums the stored rows when it is done.
VACUUM_AFTER = 1000
# From this local time on, a refresh also stores the next day's figures, so that after
# midnight pages read stored rows rather than compute every village live.
NEXT_DAY_FROM = datetime.time(22, 0)
# pg_try_advisory_lock key: one refresh at a time (two could store an older computation
# over a newer one). Any constant unique within this database will do.
REFRESH_LOCK = 0x44415348  # "DASH"


@transaction.atomic
def _store(villages: list[str], days: list[datetime.date]) -> None:
    # Consume the change marks first: this DELETE sees the marks committed before it
    # started, and the queries below see every change committed before them. A change
    # committed later keeps its own mark, and the next refresh picks it up.
    DirtyVillage.objects.filter(village__in=villages).delete()
    # The rows of these days are replaced. A row of another day would now be out of date
    # without a mark to say so: remove it too, and with it the promise that every village
    # has a row for that day.
    VillageFigures.objects.filter(village__in=villages).delete()
    VillageListEntry.objects.filter(village__in=villages).delete()
    SummaryDay.objects.filter(as_of__gte=days[0]).exclude(as_of__in=days).delete()
    for day in days:
        figures = village_figures_live(villages=villages, today=day)
        VillageFigures.objects.bulk_create(
            VillageFigures(village=village, as_of=day, **counts) for village, counts in figures.items()
        )
        lists = village_lists_live(villages=villages, today=day, limit=LIST_LIMIT)
        VillageListEntry.objects.bulk_create(
            VillageListEntry(village=village, as_of=day, kind=kind, sort_key=key, item_id=item)
            for kind, entries in lists.items()
            for key, item, village in entries
        )


def summary_refresh(
    *,
    today: datetime.date | None = None,
    next_day: bool | None = None,
    chunk: int = REFRESH_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Store the figures and list entries of every village whose records changed, or that has no row for today.

    Late in the day (``NEXT_DAY_FROM``) or with ``next_day``, store the next day's too.
    Return how many villages were refreshed, or None if another refresh is running.
    Each chunk of villages is its own transaction, so an interrupted refresh keeps what
    it did and the next one does the rest.
    """
    now = timezone.localtime()
    today = today or now.date()
    if next_day is None:
        next_day = now.date() == today and now.time() >= NEXT_DAY_FROM
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("dashboard summary refresh already running; skipped")
            return None
    try:
        days = [today, today + datetime.timedelta(days=1)] if next_day else [today]
        # What a page of that day would compute live: the marked villages, and, until the
        # day's rows are complete, every village without one.
        villages = sorted({v for day in days for v in villages_out_of_date(prefix="", today=day)})
        for start in range(0, len(villages), chunk):
            _store(villages[start : start + chunk], days)
            if progress:
                progress(min(start + chunk, len(villages)), len(villages))
        with transaction.atomic():
            for day in days:
                SummaryDay.objects.get_or_create(as_of=day)
            SummaryDay.objects.filter(as_of__lt=today).delete()
            VillageFigures.objects.filter(as_of__lt=today).delete()
            VillageListEntry.objects.filter(as_of__lt=today).delete()
        if len(villages) >= VACUUM_AFTER and not connection.in_atomic_block:
            # Rewriting most rows leaves the table's visibility map unset: until vacuumed,
            # a province page reads every row's heap page (Shanxi: 100 ms → 150 ms).
            with connection.cursor() as cursor:
                tables = (VillageFigures, VillageListEntry, DirtyVillage)
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(m._meta.db_table for m in tables)}")
        return len(villages)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])
