"""Recruitment of caring mothers: caring units, applications, screening, decisions, volunteers, teams."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.privacy.fields import EncryptedTextField
from backend.privacy.idnumbers import mask_id_number


class Skill(models.TextChoices):
    PSYCHOLOGY = "psychology", _("心理咨询")
    FAMILY_EDUCATION = "family_education", _("家庭教育")
    LAW = "law", _("法律")
    TEACHING = "teaching", _("教师")
    MEDICAL = "medical", _("医护")
    SOCIAL_WORK = "social_work", _("社会工作")
    ARTS_SPORTS = "arts_sports", _("文体特长")
    DAILY_CARE = "daily_care", _("生活照料")


class Availability(models.TextChoices):
    WEEKDAYS = "weekdays", _("工作日白天")
    EVENINGS = "evenings", _("工作日晚上")
    WEEKENDS = "weekends", _("周末")
    HOLIDAYS = "holidays", _("寒暑假及节假日")


class Declaration(models.TextChoices):
    # The codes match Programme.required_declarations.
    NO_CRIMINAL_RECORD = "no_criminal_record", _("本人无违法犯罪记录")
    GOOD_HEALTH = "good_health", _("本人身体健康，能胜任关爱服务")


class Gender(models.TextChoices):
    FEMALE = "F", _("女")
    MALE = "M", _("男")


class CaringUnit(models.Model):
    """An organisation that supplies volunteers (爱心单位): a government unit, company or NGO."""

    name = models.CharField(_("单位名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="caring_units"
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("爱心单位")
        verbose_name_plural = _("爱心单位")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region"], name="caringunit_region_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A volunteer team (关爱小分队) that cares for the children of an area as one."""

    name = models.CharField(_("小分队名称"), max_length=100)
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.PROTECT, related_name="teams"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务区划"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关爱小分队")
        verbose_name_plural = _("关爱小分队")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="team_name_unique_in_programme")]
        indexes = [
            models.Index(fields=["region"], name="team_region_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A volunteer's application (报名申请) to a programme, before approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        MORE_INFO = "more_info", _("待补充信息")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    # Statuses during which the same person may not apply again.
    LIVE_STATUSES = (Status.PENDING, Status.MORE_INFO, Status.APPROVED)
    OPEN_STATUSES = (Status.PENDING, Status.MORE_INFO)

    reference = models.CharField(_("报名编号"), max_length=20, unique=True)
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(_("身份证号码摘要"), max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    phone_verified_at = models.DateTimeField(_("手机号验证时间"))

    village = models.ForeignKey(
        "regions.Region", verbose_name=_("居住村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    caring_unit = models.ForeignKey(
        CaringUnit,
        verbose_name=_("爱心单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    skills = models.JSONField(_("专业特长"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可结对儿童数"), default=1)
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    joins_team = models.BooleanField(_("愿意加入关爱小分队"), default=False)
    motivation = models.TextField(_("报名动机"), blank=True)
    declarations = models.JSONField(_("声明事项"), default=list, blank=True)
    consent_at = models.DateTimeField(_("同意隐私政策时间"))

    # The latest request for more information, shown to the applicant.
    staff_message = models.TextField(_("给申请人的说明"), blank=True)
    applicant_reply = models.TextField(_("申请人补充的信息"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("报名申请")
        verbose_name_plural = _("报名申请")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["village"], name="application_village_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "created_at"], name="application_queue_idx"),
        ]
        constraints = [
            # One live application per person and per mobile number in a programme.
            models.UniqueConstraint(
                fields=["programme", "id_number_hash"],
                condition=Q(status__in=["pending", "more_info", "approved"]),
                name="application_one_live_per_id",
            ),
            models.UniqueConstraint(
                fields=["programme", "phone"],
                condition=Q(status__in=["pending", "more_info", "approved"]),
                name="application_one_live_per_phone",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=10), name="application_capacity_range"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def save(self, *args, **kwargs):
        # Derived columns of this row: the masked number for lists without decrypting.
        if self.id_number:
            self.id_number_masked = mask_id_number(self.id_number)
        super().save(*args, **kwargs)

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ScreeningItem(models.Model):
    """One item of a programme's screening checklist (e.g. interview done, training done)."""

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.CASCADE, related_name="screening_items"
    )
    code = models.SlugField(_("标识"), max_length=40)
    label = models.CharField(_("检查项"), max_length=100)
    required = models.BooleanField(_("通过前必须完成"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("筛查清单项")
        verbose_name_plural = _("筛查清单")
        ordering = ["programme_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="screening_item_code_unique")]

    def __str__(self) -> str:
        return self.label


class ScreeningCheck(models.Model):
    """A checklist item ticked (or unticked) for one application."""

    application = models.ForeignKey(
        Application, verbose_name=_("报名申请"), on_delete=models.CASCADE, related_name="checks"
    )
    item = models.ForeignKey(ScreeningItem, verbose_name=_("检查项"), on_delete=models.CASCADE, related_name="+")
    done = models.BooleanField(_("已完成"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"), auto_now=True)

    class Meta:
        verbose_name = _("筛查记录")
        verbose_name_plural = _("筛查记录")
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="screening_check_unique")]

    def __str__(self) -> str:
        return f"{self.item} {'✓' if self.done else '✗'}"


class Decision(models.Model):
    """One decision on an application: who, when, what and why. Append-only."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("通过")
        REJECT = "reject", _("不通过")
        MORE_INFO = "more_info", _("要求补充信息")
        WITHDRAW = "withdraw", _("申请人撤回")

    application = models.ForeignKey(
        Application, verbose_name=_("报名申请"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(_("决定"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("理由或说明"), blank=True)
    # None when the applicant herself withdrew.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(_("决定人账号"), max_length=150)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核决定")
        verbose_name_plural = _("审核决定")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.get_action_display()}"


class Volunteer(models.Model):
    """An approved caring mother (爱心妈妈), created when her application is approved."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        SUSPENDED = "suspended", _("暂停")
        ENDED = "ended", _("已退出")

    class ExitReason(models.TextChoices):
        MOVED_AWAY = "moved_away", _("迁居外地")
        INACTIVE = "inactive", _("长期未开展关爱")
        MISCONDUCT = "misconduct", _("违反管理规定")
        OWN_REQUEST = "own_request", _("本人申请退出")
        OTHER = "other", _("其他")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="volunteer"
    )
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.PROTECT, related_name="volunteers"
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("报名申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(_("身份证号码摘要"), max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    phone = models.CharField(_("手机号"), max_length=20, unique=True)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("居住村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    caring_unit = models.ForeignKey(
        CaringUnit,
        verbose_name=_("爱心单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("关爱小分队"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    skills = models.JSONField(_("专业特长"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可结对儿童数"), default=1)
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.CharField(_("状态原因"), max_length=20, choices=ExitReason.choices, blank=True)
    status_note = models.CharField(_("状态说明"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    ended_on = models.DateField(_("退出日期"), null=True, blank=True)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("爱心妈妈")
        verbose_name_plural = _("爱心妈妈")
        ordering = ["village_id", "name"]
        indexes = [
            # With the id and status: the dashboard's lapsed-volunteer walk reads the index alone.
            models.Index(
                fields=["village"],
                name="volunteer_village_prefix_idx",
                opclasses=["varchar_pattern_ops"],
                include=["id", "status"],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=10), name="volunteer_capacity_range"),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(status_reason=""), name="volunteer_inactive_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.id_number:
            self.id_number_masked = mask_id_number(self.id_number)
        super().save(*args, **kwargs)

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class VolunteerStatusChange(models.Model):
    """A suspension, ending or reinstatement of a volunteer: who, when, why. Append-only."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("爱心妈妈"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=Volunteer.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Volunteer.Status.choices)
    reason = models.CharField(_("原因"), max_length=20, choices=Volunteer.ExitReason.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_name = models.CharField(_("操作人账号"), max_length=150)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.from_status}→{self.to_status}"
