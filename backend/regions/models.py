from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A unit of the administrative tree, keyed by its official statistical code.

    Codes are hierarchical (province 2 digits, city 4, county 6, town 9, village 12), so
    "this region and everything under it" is a prefix match on the code, served by a
    ``varchar_pattern_ops`` index on PostgreSQL.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("县（区）")
        TOWN = 4, _("乡镇（街道）")
        VILLAGE = 5, _("村（社区）")

    CODE_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    full_name = models.CharField(_("全称"), max_length=300, help_text=_("从市到本级的名称"))
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="region_level_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    @staticmethod
    def level_of(code: str) -> int:
        """Return the level a code of this length belongs to."""
        for level, length in Region.CODE_LENGTHS.items():
            if len(code) == length:
                return level
        raise ValueError(f"not a region code: {code!r}")

    def contains(self, code: str) -> bool:
        """Return whether the region with ``code`` is this region or lies under it."""
        return code.startswith(self.code)

    def ancestor_codes(self) -> list[str]:
        """Return the codes of this region's ancestors and itself, top down."""
        return [self.code[:n] for n in Region.CODE_LENGTHS.values() if n <= len(self.code)]
