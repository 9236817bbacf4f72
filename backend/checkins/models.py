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

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("爱心妈妈"), on_delete=models.PROTECT, related_name="checkins"
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
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "client_key"], condition=Q(client_key__isnull=False), name="checkin_client_key_once"
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
        ]

    def __str__(self) -> str:
        return f"{self.checkin_id}:{self.child_id}"
