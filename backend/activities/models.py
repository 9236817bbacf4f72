"""Care activities (关爱活动): camps, holiday care, lectures, consultations; sign-ups,
attendance, 微心愿 wishes, family-education consultations and guidance articles (issue 20)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from recurrence.fields import RecurrenceField


class Audience(models.TextChoices):
    CHILD = "child", _("儿童")
    GUARDIAN = "guardian", _("监护人")
    VOLUNTEER = "volunteer", _("爱心妈妈")


class Activity(models.Model):
    """One activity organised by staff for their region; its sessions are the times it meets."""

    class Kind(models.TextChoices):
        CAMP = "camp", _("夏令营/冬令营")
        HOLIDAY = "holiday", _("假期关爱日")
        LECTURE = "lecture", _("家庭教育讲座")
        CONSULTATION = "consultation", _("家庭教育咨询")
        VISIT_DAY = "visit_day", _("走访日")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("报名中")
        CANCELLED = "cancelled", _("已取消")

    region = models.ForeignKey("regions.Region", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("活动类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=200)
    description = models.TextField(_("活动介绍"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    # A lecture series: more sessions at the first session's time of day (django-recurrence).
    recurrence = RecurrenceField(_("重复规则"), blank=True, null=True)
    capacity_children = models.PositiveIntegerField(_("儿童名额"), default=0)
    capacity_guardians = models.PositiveIntegerField(_("监护人名额"), default=0)
    capacity_volunteers = models.PositiveIntegerField(_("爱心妈妈名额"), default=0)
    signup_opens_at = models.DateTimeField(_("报名开始"))
    signup_closes_at = models.DateTimeField(_("报名截止"))
    offer_hours = models.PositiveSmallIntegerField(
        _("递补名额保留小时数"), default=24, help_text=_("空出的名额留给候补者的时间，过时顺延给下一位")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关爱活动")
        verbose_name_plural = _("关爱活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["region", "starts_at"], name="activity_region_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=models.F("signup_opens_at")), name="activity_signup_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def capacity_for(self, audience: str) -> int:
        return {
            Audience.CHILD: self.capacity_children,
            Audience.GUARDIAN: self.capacity_guardians,
            Audience.VOLUNTEER: self.capacity_volunteers,
        }[audience]

    @property
    def audiences(self) -> list[str]:
        """The audiences that may sign up (a capacity above zero)."""
        return [a for a in Audience.values if self.capacity_for(a) > 0]

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at


class Session(models.Model):
    """One meeting of an activity (a camp has one, a lecture series several)."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("场次"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("活动场次")
        verbose_name_plural = _("活动场次")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="session_number_unique")]

    def __str__(self) -> str:
        return f"{self.activity} #{self.number}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


ACTIVE_SIGNUP = ("confirmed", "waiting", "offered")


class Signup(models.Model):
    """A place asked for one participant: a child, a guardian or a volunteer."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITING = "waiting", _("候补中")
        OFFERED = "offered", _("递补待确认")
        CANCELLED = "cancelled", _("已取消")
        LAPSED = "lapsed", _("递补已过期")

    class Channel(models.TextChoices):
        VOLUNTEER = "volunteer", _("爱心妈妈报名")
        GUARDIAN = "guardian", _("监护人手机报名")
        STAFF = "staff", _("工作人员代报")

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="signups")
    audience = models.CharField(_("报名对象"), max_length=10, choices=Audience.choices)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("爱心妈妈"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Guardians sign up without an account: a name and the phone proven by an SMS code.
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    channel = models.CharField(_("报名方式"), max_length=10, choices=Channel.choices)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The guardian's consent for a child taking part in a camp.
    consent_by = models.CharField(_("同意的监护人"), max_length=50, blank=True)
    consent_relation = models.CharField(_("与儿童关系"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    offered_until = models.DateTimeField(_("递补保留至"), null=True, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["activity", "audience", "status", "created_at"], name="signup_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "child"], condition=Q(status__in=ACTIVE_SIGNUP), name="signup_child_once"
            ),
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=ACTIVE_SIGNUP, audience="volunteer"),
                name="signup_volunteer_once",
            ),
            models.UniqueConstraint(
                fields=["activity", "phone"],
                condition=Q(status__in=ACTIVE_SIGNUP, audience="guardian"),
                name="signup_guardian_once",
            ),
            models.CheckConstraint(
                condition=~Q(audience="child") | Q(child__isnull=False), name="signup_child_has_child"
            ),
            models.CheckConstraint(
                condition=~Q(audience="volunteer") | Q(volunteer__isnull=False), name="signup_volunteer_has_volunteer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.get_audience_display()}"

    @property
    def display_name(self) -> str:
        """A child by her given name only; a guardian or volunteer by name."""
        if self.audience == Audience.CHILD and self.child_id:
            return self.child.given_name
        if self.audience == Audience.VOLUNTEER and self.volunteer_id:
            return self.volunteer.name
        return self.person_name


class Attendance(models.Model):
    """Who came to a session; a volunteer's minutes are her service time (service records)."""

    session = models.ForeignKey(Session, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="attendance")
    signup = models.ForeignKey(Signup, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="attendance")
    minutes = models.PositiveIntegerField(_("参加分钟数"))
    checked_in_at = models.DateTimeField(_("签到时间"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签到人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [models.UniqueConstraint(fields=["session", "signup"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session} · {self.signup.display_name}"


class Wish(models.Model):
    """A child's 微心愿: recorded, published to the region, claimed, fulfilled, thanked."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("待发布")
        PUBLISHED = "published", _("已发布")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已实现")
        THANKED = "thanked", _("已致谢")

    child = models.ForeignKey("children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("心愿"), max_length=100)
    estimated_value = models.DecimalField(_("估计价值（元）"), max_digits=8, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_by_volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("认领的爱心妈妈"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_by_unit = models.ForeignKey(
        "volunteers.CaringUnit",
        verbose_name=_("认领的爱心单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_on = models.DateField(_("实现日期"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="wishes/%Y/%m/", null=True, blank=True)
    thanked_at = models.DateTimeField(_("致谢时间"), null=True, blank=True)
    thanks_note = models.CharField(_("致谢的话"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_value__gte=0), name="wish_value_not_negative"),
            models.CheckConstraint(
                condition=Q(claimed_by_volunteer__isnull=True) | Q(claimed_by_unit__isnull=True),
                name="wish_claimed_by_one",
            ),
        ]

    def __str__(self) -> str:
        return self.item

    @property
    def claimer_name(self) -> str:
        if self.claimed_by_volunteer_id:
            return self.claimed_by_volunteer.name
        if self.claimed_by_unit_id:
            return self.claimed_by_unit.name
        return ""


class Consultation(models.Model):
    """A family-education consultation kept on the child's file (topic, advice, follow-up)."""

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="consultations"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("所属活动"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("咨询日期"))
    topic = models.CharField(_("咨询主题"), max_length=100)
    advice = models.TextField(_("给出的建议"))
    follow_up_on = models.DateField(_("跟进日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家庭教育咨询")
        verbose_name_plural = _("家庭教育咨询")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class Article(models.Model):
    """A guidance article for guardians (家庭教育信息库), public once published."""

    class ArticleAudience(models.TextChoices):
        ALL = "all", _("所有监护人")
        LEFT_BEHIND = "left_behind", _("留守儿童家庭")
        DIFFICULTY = "difficulty", _("困境儿童家庭")
        GRANDPARENTS = "grandparents", _("隔代照护的祖辈")

    region = models.ForeignKey("regions.Region", verbose_name=_("发布区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    audience = models.CharField(_("读者"), max_length=20, choices=ArticleAudience.choices, default=ArticleAudience.ALL)
    published = models.BooleanField(_("已发布"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家庭教育文章")
        verbose_name_plural = _("家庭教育文章")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
