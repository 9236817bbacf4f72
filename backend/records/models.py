"""The volunteer's service record (志愿服务记录) and its certificates (民政部令第67号, 民发〔2015〕149号).

One ledger of service entries per volunteer, her trainings, honours and yearly evaluations,
and the certificates issuers give from the ledger. See docs/recognition.md for the rules.
"""

import datetime

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PUBLICITY_DAYS = 7


def default_approval_sources() -> list[str]:
    return ["staff"]


class RecordRules(models.Model):
    """A programme's rules for counting service hours (caps per entry and per day, who approves)."""

    programme = models.OneToOneField(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.CASCADE, related_name="record_rules"
    )
    max_minutes_per_entry = models.PositiveSmallIntegerField(_("每条记录最多分钟数"), default=8 * 60)
    max_minutes_per_day = models.PositiveSmallIntegerField(_("每天最多分钟数"), default=12 * 60)
    max_entries_per_day = models.PositiveSmallIntegerField(_("每天最多记录条数"), default=3)
    # ServiceEntry.Source values whose entries wait for a staff member's approval.
    approval_sources = models.JSONField(_("需要审核的来源"), default=default_approval_sources, blank=True)

    class Meta:
        verbose_name = _("服务时长规则")
        verbose_name_plural = _("服务时长规则")
        constraints = [
            models.CheckConstraint(condition=Q(max_minutes_per_entry__gte=1), name="record_rules_entry_positive"),
            models.CheckConstraint(
                condition=Q(max_minutes_per_day__gte=models.F("max_minutes_per_entry")), name="record_rules_day_cap"
            ),
            models.CheckConstraint(condition=Q(max_entries_per_day__gte=1), name="record_rules_entries_positive"),
        ]

    def __str__(self) -> str:
        return str(self.programme)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ServiceEntry(models.Model):
    """One period of actual service in a volunteer's record: from a check-in, an event or staff (补录)."""

    class Source(models.TextChoices):
        CHECKIN = "checkin", _("关爱记录")
        EVENT = "event", _("活动签到")
        STAFF = "staff", _("工作人员补录")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("已记录（无时长）")
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已确认")
        REJECTED = "rejected", _("未通过")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.PROTECT, related_name="service_entries"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    checkin = models.OneToOneField(
        "checkins.CheckIn",
        verbose_name=_("关爱记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_entry",
    )
    attendance = models.OneToOneField(
        "activities.Attendance",
        verbose_name=_("活动签到"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_entry",
    )
    served_on = models.DateField(_("服务日期"))
    # The period of actual service that day (travel excluded); required for 补录, whose minutes it caps.
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(_("服务时长（分钟）"), default=0)
    content = models.CharField(_("服务内容"), max_length=200)
    reason = models.CharField(_("补录理由"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    status_note = models.CharField(_("审核说明"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["volunteer", "served_on"], name="serviceentry_vol_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="staff") | (Q(starts_at__isnull=False, ends_at__isnull=False) & ~Q(reason="")),
                name="serviceentry_staff_has_period_reason",
            ),
            models.CheckConstraint(condition=Q(minutes__lte=24 * 60), name="serviceentry_minutes_day"),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.content}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def period_minutes(self) -> int | None:
        """Return the length of the stated period in minutes (None without one)."""
        if self.starts_at is None or self.ends_at is None:
            return None
        start = datetime.datetime.combine(self.served_on, self.starts_at)
        end = datetime.datetime.combine(self.served_on, self.ends_at)
        return int((end - start).total_seconds() // 60)


class TrainingRecord(models.Model):
    """A training the volunteer took (培训情况): the 岗前培训 of screening, and later ones."""

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.CASCADE, related_name="trainings"
    )
    topic = models.CharField(_("培训主题"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("培训学时"), max_digits=4, decimal_places=1, default=0)
    organiser = models.CharField(_("组织单位"), max_length=100)
    pre_service = models.BooleanField(_("岗前培训"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer"], condition=Q(pre_service=True), name="training_one_pre_service"
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class Nomination(models.Model):
    """A nomination for an honour (表彰奖励), raised by town or county staff, approved up the tree."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("审核中")
        AWARDED = "awarded", _("已授予")
        REJECTED = "rejected", _("未通过")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.PROTECT, related_name="nominations"
    )
    title = models.CharField(_("荣誉名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    statement = models.TextField(_("推荐理由"), max_length=1000)
    # The level that awards the honour, and the one whose staff decide now (the next level up).
    awarding_region = models.ForeignKey(
        "regions.Region", verbose_name=_("授予单位所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    current_region = models.ForeignKey(
        "regions.Region", verbose_name=_("当前审核区划"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.IN_REVIEW)
    # The criteria as they stood when nominated: approved hours, children cared for, months without a lapse.
    approved_hours = models.DecimalField(_("已确认服务小时"), max_digits=7, decimal_places=1, default=0)
    children_cared = models.PositiveSmallIntegerField(_("关爱儿童数"), default=0)
    months_without_lapse = models.PositiveSmallIntegerField(_("连续未中断关爱月数"), default=0)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    awarded_on = models.DateField(_("授予日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("表彰推荐")
        verbose_name_plural = _("表彰推荐")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "title", "year"],
                condition=~Q(status="rejected"),
                name="nomination_once_per_honour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"


class NominationStep(models.Model):
    """One level's decision on a nomination: who, when, agree or not, why. Append-only."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("表彰推荐"), on_delete=models.CASCADE, related_name="steps"
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("审核区划"), on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("同意"))
    note = models.CharField(_("意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推荐审核")
        verbose_name_plural = _("推荐审核")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.region_id}"


class Evaluation(models.Model):
    """A yearly evaluation (评价情况) by the responsible officer; optional."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("合格")
        FAIR = "fair", _("基本合格")
        POOR = "poor", _("不合格")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.CASCADE, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("评价等次"), max_length=10, choices=Grade.choices)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度评价")
        verbose_name_plural = _("年度评价")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "year"], name="evaluation_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_grade_display()}"


class Issuer(models.Model):
    """A federation that issues certificates (出具单位): its name, people, contact, seal, last number."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="certificate_issuer"
    )
    name = models.CharField(_("出具单位"), max_length=100)
    prefix = models.CharField(_("证明编号前缀"), max_length=20, unique=True)
    responsible_person = models.CharField(_("负责人"), max_length=50, blank=True)
    handler = models.CharField(_("经办人"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    seal = models.FileField(_("印章图片"), upload_to="seals/", null=True, blank=True)
    # The last number given; the next certificate takes it + 1 under a row lock.
    last_number = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = _("证明出具单位")
        verbose_name_plural = _("证明出具单位")
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """A certificate of service (志愿服务记录证明) for a period, in the 民发〔2015〕149号 format."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审核")
        ISSUED = "issued", _("已出具")
        DECLINED = "declined", _("未同意")
        REVOKED = "revoked", _("已撤销")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuer = models.ForeignKey(
        Issuer, verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="certificates", null=True
    )
    period_start = models.DateField(_("服务起始日期"))
    period_end = models.DateField(_("服务截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    # Filled when issued: the number, the hours and content of the period, and the date.
    number = models.CharField(_("证明编号"), max_length=40, null=True, blank=True, unique=True)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"), default=0)
    content = models.CharField(_("服务内容"), max_length=500, blank=True)
    issued_on = models.DateField(_("出具日期"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示截止日期"), null=True, blank=True)
    # Snapshot of the issuer's people at the time of issue.
    responsible_person = models.CharField(_("负责人"), max_length=50, blank=True)
    handler = models.CharField(_("经办人"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    requested_note = models.CharField(_("申请说明"), max_length=300, blank=True)
    decision_note = models.CharField(_("审核或撤销理由"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "serial"], name="certificate_serial_once_per_issuer"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="certificate_period"),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "revoked"]) | Q(number__isnull=False, issued_on__isnull=False),
                name="certificate_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("待出具的证明"))

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def in_publicity(self, today: datetime.date) -> bool:
        """Return whether the certificate is still in its 7-day publicity (公示期)."""
        return (
            self.status == self.Status.ISSUED and self.publicity_ends_on is not None and today < self.publicity_ends_on
        )

    def is_final(self, today: datetime.date) -> bool:
        """Return whether the certificate stands: issued, not revoked, publicity over."""
        return self.status == self.Status.ISSUED and not self.in_publicity(today)
