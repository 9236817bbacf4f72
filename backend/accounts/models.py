from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in: federation staff, child directors, volunteers, superusers."""

    class Role(models.TextChoices):
        STAFF = "staff", _("妇联工作人员")
        CHILD_DIRECTOR = "child_director", _("儿童主任")
        VOLUNTEER = "volunteer", _("爱心妈妈")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    # Staff see and act on this region and everything under it.
    home_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Child directors look after one or more villages.
    villages = models.ManyToManyField(
        "regions.Region", verbose_name=_("负责的村（社区）"), blank=True, related_name="child_directors"
    )
    # Volunteers sign in with their mobile number (E.164, e.g. +8613800000000).
    phone = models.CharField(_("手机号"), max_length=20, null=True, blank=True, unique=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="staff", is_superuser=False, is_active=True, home_region__isnull=True),
                name="active_staff_has_home_region",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_federation_staff(self) -> bool:
        return self.role == self.Role.STAFF and not self.is_superuser

    @property
    def is_child_director(self) -> bool:
        return self.role == self.Role.CHILD_DIRECTOR

    @property
    def is_volunteer(self) -> bool:
        return self.role == self.Role.VOLUNTEER


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a mobile number; only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        APPLY = "apply", _("报名验证")
        STATUS = "status", _("查询申请")
        SIGN_IN = "sign_in", _("登录")
        GUARDIAN = "guardian", _("活动报名")

    phone = models.CharField(_("手机号"), max_length=20)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="phonecode_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.phone} {self.get_purpose_display()}"


class DeviceSession(models.Model):
    """One signed-in device of a volunteer: her session, which browser it is, when it was last seen."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="device_sessions")
    session_key = models.CharField(_("会话"), max_length=40, unique=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近使用"))

    class Meta:
        verbose_name = _("已登录设备")
        verbose_name_plural = _("已登录设备")
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.device_words}"

    @property
    def device_words(self) -> str:
        """Say in words what the device is: "微信 · 安卓手机", "Safari · iPhone"."""
        return user_agent_words(self.user_agent)


def user_agent_words(user_agent: str) -> str:
    """Return a browser's user agent in words a volunteer recognises."""
    ua = user_agent or ""
    if "iPhone" in ua:
        device = _("iPhone")
    elif "iPad" in ua:
        device = _("iPad")
    elif "Android" in ua:
        device = _("安卓手机")
    elif "HarmonyOS" in ua:
        device = _("鸿蒙手机")
    elif "Windows" in ua or "Macintosh" in ua or "X11" in ua or "Linux" in ua:
        device = _("电脑")
    else:
        device = _("未知设备")
    if "MicroMessenger" in ua:
        browser = _("微信")
    elif "EdgA" in ua or "Edg/" in ua:
        browser = "Edge"
    elif "UCBrowser" in ua:
        browser = _("UC浏览器")
    elif "QQBrowser" in ua:
        browser = _("QQ浏览器")
    elif "HuaweiBrowser" in ua:
        browser = _("华为浏览器")
    elif "Chrome" in ua or "CriOS" in ua:
        browser = "Chrome"
    elif "Firefox" in ua:
        browser = "Firefox"
    elif "Safari" in ua:
        browser = "Safari"
    else:
        browser = _("浏览器")
    return f"{browser} · {device}"
