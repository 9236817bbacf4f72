from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckIn(models.Model):
    """A logged act of care (关爱记录): a visit, a call, an activity, a gift..."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("入户走访")
        PHONE_CALL = "phone_call", _("电话联系")
        VIDEO_CALL = "video_call", _("视频通话")
        SCHOOL_VISIT = "school_visit", _("到校看望")
        ACTIVITY = "activity", _("关爱活动")
        GIFT = "gift", _("微心愿/送礼物")
        TUTORING = "tutoring", _("学业辅导")
        OTHER = "other", _("其他")

    class Source(models.TextChoices):
        WEB = "web", _("手机页面")
        API = "api", _("接口")
        SMS = "sms", _("短信回复")
        STAFF = "staff", _("工作人员代录")

    # Indexed with the date below (checkin_volunteer_date_idx), which serves lookups by volunteer too.
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("爱心妈妈"),
        on_delete=models.PROTECT,
        related_name="checkins",
        db_index=False,
    )
    children = models.ManyToManyField(
        "children.Child", verbose_name=_("儿童"), through="CheckInChild", related_name="checkins"
    )
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("日期"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), null=True, blank=True)
    note = models.TextField(_("简要记录"), blank=True)
    photo = models.FileField(_("照片"), upload_to="checkins/%Y/%m/", null=True, blank=True)
    worried = models.BooleanField(_("有担心的情况"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.WEB)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the phone for entries made offline, so that a resend never records twice.
    client_key = models.CharField(_("客户端编号"), max_length=64, null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("致谢人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("致谢时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关爱记录")
        verbose_name_plural = _("关爱记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # A volunteer's check-ins in a window: "lapsed volunteers" and check-ins per month.
            models.Index(fields=["volunteer", "occurred_on"], name="checkin_volunteer_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "client_key"],
                condition=Q(client_key__isnull=False),
                name="checkin_client_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.get_kind_display()} {self.occurred_on}"


class CheckInChild(models.Model):
    """One child covered by a check-in (a team visit covers several)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="checkin_links")
    pairing = models.ForeignKey(
        "pairing.Pairing", null=True, blank=True, on_delete=models.SET_NULL, related_name="checkin_links"
    )
    # Copied from the check-in so that "last contact per child/pairing" needs no join.
    occurred_on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("关爱对象")
        verbose_name_plural = _("关爱对象")
        constraints = [models.UniqueConstraint(fields=["checkin", "child"], name="checkin_child_once")]
        indexes = [
            models.Index(fields=["child", "occurred_on"], name="checkin_child_date_idx"),
            models.Index(fields=["pairing", "occurred_on"], name="checkin_pairing_date_idx"),
            # "Children with a check-in in the last 30/90 days" of a region, for the dashboard.
            models.Index(fields=["occurred_on", "child"], name="checkin_date_child_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.checkin_id}:{self.child_id}"


def default_rule_kinds() -> list[str]:
    return [CheckIn.Kind.PHONE_CALL, CheckIn.Kind.VIDEO_CALL, CheckIn.Kind.HOME_VISIT]


class ContactRule(models.Model):
    """A programme's rule of regular contact: "a call or video call every 30 days"."""

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.CASCADE, related_name="contact_rules"
    )
    name = models.CharField(_("名称"), max_length=50)
    # Kinds of check-in that satisfy the rule (CheckIn.Kind values).
    kinds = models.JSONField(_("满足规则的关爱方式"), default=default_rule_kinds)
    every_days = models.PositiveSmallIntegerField(_("间隔天数"), default=30)
    lead_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=3)
    # Child categories (Child.Category values) the rule applies to; empty = every child.
    categories = models.JSONField(_("适用儿童类别"), default=list, blank=True)
    # Escalation: overdue this many days -> the village/town staff's digest; then the county's.
    escalate_staff_days = models.PositiveSmallIntegerField(_("逾期多少天通知乡村工作人员"), default=7)
    escalate_county_days = models.PositiveSmallIntegerField(_("逾期多少天上报县级"), default=30)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联系规则")
        verbose_name_plural = _("联系规则")
        ordering = ["programme_id", "every_days", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="contact_rule_name_once"),
            models.CheckConstraint(condition=Q(every_days__gte=1), name="contact_rule_every_positive"),
            models.CheckConstraint(
                condition=Q(escalate_county_days__gte=models.F("escalate_staff_days")),
                name="contact_rule_escalation_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarEvent(models.Model):
    """A date in the year when care is expected: the child's birthday, 1 June, the holidays."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", _("儿童生日")
        FIXED = "fixed", _("每年固定日期")
        DATED = "dated", _("按年设定日期")

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.CASCADE, related_name="calendar_events"
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    month = models.PositiveSmallIntegerField(_("月"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    # For DATED events: {"2027": "2027-02-06", ...} (Spring Festival, start of the holidays).
    dates = models.JSONField(_("各年日期"), default=dict, blank=True)
    kinds = models.JSONField(_("满足的关爱方式"), default=list, blank=True)  # empty = any kind
    lead_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=3)
    # A check-in from lead_days before to grace_days after the date counts; after that the date is missed.
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=7)
    categories = models.JSONField(_("适用儿童类别"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("关爱节点")
        verbose_name_plural = _("关爱节点")
        ordering = ["programme_id", "month", "day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="calendar_event_name_once"),
            models.CheckConstraint(
                condition=~Q(kind="fixed") | Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="calendar_event_fixed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DueState(models.Model):
    """What one active pairing owes one rule or calendar event: next due date, reminders, escalation.

    Computed in bulk by the nightly pass (services.due_compute) and moved at once by a check-in.
    """

    class Escalation(models.IntegerChoices):
        NONE = 0, _("未升级")
        STAFF = 1, _("已通知乡村工作人员")
        COUNTY = 2, _("已上报县级")

    pairing = models.ForeignKey("pairing.Pairing", on_delete=models.CASCADE, related_name="due_states")
    # No index of their own: the unique (pairing, rule) and (pairing, event) indexes serve the lookups,
    # and one index less per row counts when the nightly pass writes millions of rows.
    rule = models.ForeignKey(
        ContactRule, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event = models.ForeignKey(
        CalendarEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    last_contact_on = models.DateField(_("最近一次相符的关爱"), null=True, blank=True)
    next_due_on = models.DateField(_("下次应关爱日期"))
    # For calendar events: the matching check-in of this occurrence (then nothing is owed).
    satisfied_on = models.DateField(_("本次已完成于"), null=True, blank=True)
    # The due date each reminder stage was last sent for: a stage goes once per due date.
    reminded_before_for = models.DateField(null=True, blank=True)
    reminded_due_for = models.DateField(null=True, blank=True)
    reminded_overdue_for = models.DateField(null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(_("升级"), choices=Escalation.choices, default=Escalation.NONE)
    escalated_for = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("关爱到期状态")
        verbose_name_plural = _("关爱到期状态")
        constraints = [
            models.CheckConstraint(
                condition=Q(rule__isnull=False, event__isnull=True) | Q(rule__isnull=True, event__isnull=False),
                name="due_state_rule_or_event",
            ),
            models.UniqueConstraint(fields=["pairing", "rule"], condition=Q(rule__isnull=False), name="due_rule_once"),
            models.UniqueConstraint(
                fields=["pairing", "event"], condition=Q(event__isnull=False), name="due_event_once"
            ),
        ]
        indexes = [
            # "Who is overdue today" reads only unsatisfied rows by date.
            models.Index(fields=["next_due_on"], condition=Q(satisfied_on__isnull=True), name="due_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pairing_id}:{self.rule_id or self.event_id} {self.next_due_on}"

    @property
    def what(self) -> str:
        """The name of the rule or care date owed."""
        return (self.rule or self.event).name

    @property
    def slot(self) -> str:
        return f"r{self.rule_id}" if self.rule_id else f"e{self.event_id}"


class Reminder(models.Model):
    """A reminder message sent for a due state, so that a check-in can cancel what is still pending."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("到期前")
        DUE = "due", _("到期当天")
        OVERDUE = "overdue", _("已逾期")

    due_state = models.ForeignKey(DueState, on_delete=models.CASCADE, related_name="reminders")
    pairing = models.ForeignKey("pairing.Pairing", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("notifications.Message", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    due_on = models.DateField(_("应关爱日期"))
    # What a reply of "1" to this reminder records.
    kind = models.CharField(_("回复记录的方式"), max_length=20, choices=CheckIn.Kind.choices)
    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        indexes = [models.Index(fields=["pairing"], name="reminder_pairing_idx")]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.stage} {self.due_on}"


class Escalation(models.Model):
    """An overdue pairing raised to staff: the village/town staff's digest, then the county's."""

    due_state = models.ForeignKey(DueState, on_delete=models.CASCADE, related_name="escalations")
    pairing = models.ForeignKey("pairing.Pairing", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("级别"), choices=DueState.Escalation.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("上报区划"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("应关爱日期"))
    overdue_days = models.PositiveIntegerField(_("逾期天数"))
    created_on = models.DateField(_("升级日期"))
    digest_sent_at = models.DateTimeField(_("摘要发送时间"), null=True, blank=True)
    resolved_on = models.DateField(_("已解决于"), null=True, blank=True)

    class Meta:
        verbose_name = _("逾期升级")
        verbose_name_plural = _("逾期升级")
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["due_state", "level", "due_on"], name="escalation_once"),
        ]
        indexes = [models.Index(fields=["region", "level"], name="escalation_region_idx")]

    def __str__(self) -> str:
        return f"{self.pairing_id} L{self.level} {self.overdue_days}d"
