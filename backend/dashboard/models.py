"""Per-village summaries of the dashboard's figures, kept exact by triggers (docs/dashboard.md).

A province page would otherwise read every child, pairing, due state and check-in of the
province on each request. Instead each village's figures are stored once per day
(``VillageFigures``) and a page sums the rows of its villages.

Exactness: PostgreSQL statement triggers on the source tables (migration 0002) append the
village of every changed row to ``DirtyVillage`` in the same transaction as the change.
A page computes the dirty villages of its region live from the records and uses the
stored rows for the others; ``services.summary_refresh`` (a beat task) recomputes dirty
and out-of-date villages and deletes the marks it consumed. A mark is one row per
transaction (never merged with an earlier one), so a change committed while a refresh
runs keeps its own mark and is picked up by the next.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class VillageFigures(models.Model):
    """The figures of the records attached to one region code (a village), as of one day."""

    village = models.CharField(_("区划代码"), max_length=12)
    # Figures that depend on the date (check-ins in 30/90 days, overdue pairings, lapsed
    # volunteers) are those of this day. Late in the evening the next day's rows are
    # stored too, so that the first pages after midnight need not compute every village.
    as_of = models.DateField(_("统计日期"))
    registered = models.IntegerField(default=0)
    left_behind = models.IntegerField(default=0)
    in_difficulty = models.IntegerField(default=0)
    paired = models.IntegerField(default=0)
    checked_30 = models.IntegerField(default=0)
    checked_90 = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    open_concerns = models.IntegerField(default=0)
    volunteers = models.IntegerField(default=0)
    volunteer_pairings = models.IntegerField(default=0)
    volunteer_capacity = models.IntegerField(default=0)
    load_idle = models.IntegerField(default=0)
    load_partial = models.IntegerField(default=0)
    load_full = models.IntegerField(default=0)
    load_over = models.IntegerField(default=0)
    lapsed_volunteers = models.IntegerField(default=0)
    applications_waiting = models.IntegerField(default=0)
    # Check-ins by the village's volunteers in each of the 12 months ending with as_of's, oldest first.
    checkins_by_month = ArrayField(models.IntegerField(), size=12)
    computed_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("村级统计")
        verbose_name_plural = _("村级统计")
        constraints = [models.UniqueConstraint(fields=["as_of", "village"], name="village_figures_once_a_day")]
        indexes = [
            models.Index(
                fields=["village", "as_of"],
                name="village_figures_prefix_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.as_of}"


class VillageListEntry(models.Model):
    """One row of a dashboard list in one village, as of one day: which record, and where it sorts.

    A village keeps its first ``LIST_LIMIT`` rows of each list (in the list's order), so the
    first ``LIST_LIMIT`` rows of any region are among its villages' entries: a page reads
    them in order from an index instead of probing every record of the region. Entries are
    stored, replaced and dropped together with the village's ``VillageFigures`` row, and
    out-of-date villages are computed live, as for the figures.
    """

    class Kind(models.TextChoices):
        UNPAIRED = "unpaired", _("未结对儿童")
        LAPSED_PAIRINGS = "lapsed_pairings", _("逾期结对")
        LAPSED_VOLUNTEERS = "lapsed_volunteers", _("60天无关爱记录的爱心妈妈")
        OPEN_CONCERNS = "open_concerns", _("未办结关注事项")

    id = models.BigAutoField(primary_key=True)
    village = models.CharField(_("区划代码"), max_length=12)
    as_of = models.DateField(_("统计日期"))
    kind = models.CharField(_("清单"), max_length=20, choices=Kind.choices)
    # Where the row sorts in its list (ties by item_id): see selectors/lists.py for each list's key.
    sort_key = models.DateTimeField(_("排序依据"))
    # The child, pairing, volunteer or concern.
    item_id = models.BigIntegerField(_("记录编号"))

    class Meta:
        verbose_name = _("村级清单条目")
        verbose_name_plural = _("村级清单条目")
        indexes = [
            # A province or city: walk one list in order, skipping other regions' villages.
            models.Index(
                fields=["kind", "as_of", "sort_key", "item_id"], include=["village"], name="list_entry_order_idx"
            ),
            # A county or below: its villages' entries, then sort those.
            models.Index(
                fields=["village", "as_of", "kind"],
                name="list_entry_village_idx",
                opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops"],
                include=["sort_key", "item_id"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.village} {self.as_of} #{self.item_id}"


class SummaryDay(models.Model):
    """A day for which every village's figures were stored: pages then compute only marked villages."""

    as_of = models.DateField(primary_key=True)
    completed_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return str(self.as_of)


class DirtyVillage(models.Model):
    """A village whose records changed after its figures were stored (written by triggers)."""

    id = models.BigAutoField(primary_key=True)
    village = models.CharField(max_length=12)
    marked_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["village"], name="dirty_village_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.village} ({self.marked_at})"
