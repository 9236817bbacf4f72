import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


def default_declarations() -> list[str]:
    return ["no_criminal_record", "good_health"]


def default_approval_levels() -> list[int]:
    # Region levels whose staff must approve a pairing, lowest first; [] = any staff.
    return []


class Programme(models.Model):
    """A caring programme run by a federation, with its local management rules (服务管理办法)."""

    name = models.CharField(_("项目名称"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=50, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("主办区划"), on_delete=models.PROTECT, related_name="programmes"
    )
    description = models.TextField(_("项目说明"), blank=True)
    is_active = models.BooleanField(_("进行中"), default=True)
    recruitment_open = models.BooleanField(_("正在招募"), default=True)

    # 选任条件: selection conditions applied to applications.
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), default=18)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), default=65)
    required_declarations = models.JSONField(_("必须声明的事项"), default=default_declarations, blank=True)
    selection_notes = models.TextField(_("其他选任条件"), blank=True)

    # 结对关爱工作程序: pairing procedure.
    approval_levels = models.JSONField(_("结对审批层级"), default=default_approval_levels, blank=True)
    volunteer_sees_guardian_phone = models.BooleanField(_("爱心妈妈可见监护人电话"), default=False)
    volunteer_sees_address = models.BooleanField(_("爱心妈妈可见详细住址"), default=False)

    # Pairing engine weights and limits (结对规则).
    class PairingMode(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("一对一")
        ONE_TO_MANY = "one_to_many", _("一对多")
        MANY_TO_ONE = "many_to_one", _("多对一")
        MANY_TO_MANY = "many_to_many", _("多对多（按容量）")
        TEAMS = "teams", _("小分队结对")

    class MaxDistance(models.IntegerChoices):
        SAME_VILLAGE = 5, _("同村")
        SAME_TOWN = 4, _("同镇（街道）")
        SAME_COUNTY = 3, _("同县（区）")
        SAME_CITY = 2, _("同市")

    pairing_mode = models.CharField(
        _("结对模式"), max_length=20, choices=PairingMode.choices, default=PairingMode.MANY_TO_MANY
    )
    pairing_max_distance = models.PositiveSmallIntegerField(
        _("最远结对距离"), choices=MaxDistance.choices, default=MaxDistance.SAME_COUNTY
    )
    pairing_skill_bonus = models.PositiveSmallIntegerField(_("专长匹配加分"), default=15)
    pairing_keep_bonus = models.PositiveSmallIntegerField(_("延续原结对加分"), default=25)
    pairing_load_spread = models.PositiveSmallIntegerField(_("均衡负担权重"), default=5)
    # Priority when volunteers are short (docs/pairing.md): points per child, summed; the engine
    # covers as many children as possible and, among those ways, the most points.
    pairing_priority_in_difficulty = models.PositiveSmallIntegerField(_("优先级：困境儿童"), default=40)
    pairing_priority_risk_medium = models.PositiveSmallIntegerField(_("优先级：中风险"), default=10)
    pairing_priority_risk_high = models.PositiveSmallIntegerField(_("优先级：高风险"), default=25)
    pairing_priority_per_concern = models.PositiveSmallIntegerField(
        _("优先级：每项待处理关注事项"), default=10, help_text=_("最多计 3 项")
    )
    pairing_priority_per_month_waited = models.PositiveSmallIntegerField(
        _("优先级：每等待 30 天"),
        default=2,
        help_text=_("自登记或上次结对结束起计，最多计 24 个月"),
    )
    pairing_priority_no_adult = models.PositiveSmallIntegerField(
        _("优先级：家中无成年人照料"), default=20, help_text=_("困境类型为“事实无人抚养”")
    )

    # Delivery: messages due in quiet hours wait until they end (Asia/Shanghai).
    quiet_hours_start = models.TimeField(_("免打扰开始"), default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(_("免打扰结束"), default=datetime.time(8, 0))

    # 退出机制: exit rules, as text shown to volunteers and staff.
    exit_rules = models.TextField(_("退出机制"), blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关爱项目")
        verbose_name_plural = _("关爱项目")
        ordering = ["region_id", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_age__lte=models.F("max_age")), name="programme_age_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def in_quiet_hours(self, local_time: datetime.time) -> bool:
        """Return whether a local (Asia/Shanghai) time of day falls in quiet hours."""
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start <= end:
            return start <= local_time < end
        return local_time >= start or local_time < end
