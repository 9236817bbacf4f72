from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.privacy.fields import EncryptedTextField


class Message(models.Model):
    """One message to send: the outbox row. Created in the caller's transaction."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        WECHAT = "wechat", _("微信公众号")
        WECOM = "wecom", _("企业微信群")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        QUEUED = "queued", _("已排队")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    recipient = models.CharField(_("收件人"), max_length=100)
    # The account the message is for, when there is one (applicants have only a phone).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("关爱项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Staff see the messages of their region and below (see notifications.selectors).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template = models.CharField(_("模板"), max_length=50, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    body = models.TextField(_("内容"))
    # Unique by a constraint, not unique=True: that would add a second (LIKE) index every write pays for.
    idempotency_key = models.CharField(_("幂等键"), max_length=120, null=True, blank=True)
    # Urgent messages (sign-in codes) ignore quiet hours and the per-recipient rate limit.
    urgent = models.BooleanField(_("紧急（不受免打扰限制）"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    # When the row entered queued or sending: how stuck rows are found and reconciled.
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    # Which SMS provider carried it (twilio, aliyun, tencent, local): receipts are matched per provider.
    # db_default: the check-ins' reminder pass inserts rows in bulk with plain SQL.
    provider = models.CharField(_("服务商"), max_length=10, blank=True, default="", db_default="")
    provider_id = models.CharField(_("服务商编号"), max_length=64, blank=True)
    provider_status = models.CharField(_("服务商状态"), max_length=20, blank=True)
    error_code = models.CharField(_("错误代码"), max_length=20, blank=True)
    segments = models.PositiveSmallIntegerField(_("计费条数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息发件箱")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="message_idempotency_key_unique")]
        # Every send writes a row twice (claimed, sent) and each write adds an entry to every index
        # whose condition the new row meets: the partial indexes below take only the rows they serve.
        indexes = [
            # The dispatcher and the batch claims read only due rows: flat as the table grows.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="message_pending_due_idx"),
            models.Index(
                fields=["claimed_at"], condition=Q(status__in=["queued", "sending"]), name="message_claimed_idx"
            ),
            # The per-recipient rate limit reads sent rows only.
            models.Index(
                fields=["recipient", "sent_at"], condition=Q(sent_at__isnull=False), name="message_recipient_sent_idx"
            ),
            # Receipts and status callbacks find a row by what the provider called it.
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""), name="message_provider_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.SENT, self.Status.DELIVERED, self.Status.FAILED, self.Status.CANCELLED}


class LocalDelivery(models.Model):
    """What the local channel "delivered": the demo's stand-in for a phone's inbox."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="local_deliveries")
    to = models.CharField(_("收件人"), max_length=100)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("本地发件箱")
        verbose_name_plural = _("本地发件箱")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:30]}"


class SmsOptOut(models.Model):
    """A phone number that asked for no more text messages (STOP, 退订, TD or Twilio error 21610)."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", _("短信回复退订词")
        PROVIDER = "provider", _("服务商拒发（21610）")
        STAFF = "staff", _("工作人员操作")

    phone = models.CharField(_("手机号"), max_length=20, unique=True)
    opted_out = models.BooleanField(_("已退订"), default=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    keyword = models.CharField(_("回复内容"), max_length=20, blank=True)
    changed_at = models.DateTimeField(_("变更时间"))

    class Meta:
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return self.phone

    @property
    def reason(self) -> str:
        when = self.changed_at.strftime("%Y-%m-%d %H:%M") if self.changed_at else ""
        how = self.get_source_display() + (f" “{self.keyword}”" if self.keyword else "")
        return f"该号码已退订短信（{how}，{when}）/ number opted out of SMS"


class WeChatBinding(models.Model):
    """A volunteer's WeChat openid for the official account: template messages go there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="wechat_binding"
    )
    openid = models.CharField(_("OpenID"), max_length=64, unique=True)
    usable = models.BooleanField(_("可用"), default=True)
    # Her choice: reminders by WeChat (default once bound) or still by SMS.
    prefer_wechat = models.BooleanField(_("优先通过微信接收"), default=True)
    unusable_reason = models.CharField(_("不可用原因"), max_length=200, blank=True)
    bound_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微信绑定")
        verbose_name_plural = _("微信绑定")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.openid[:6]}…"


class DeliveryPreference(models.Model):
    """A person's own quiet hours: her non-urgent messages wait while they or the programme's apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="delivery_preference"
    )
    quiet_hours_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("接收偏好")
        verbose_name_plural = _("接收偏好")

    def __str__(self) -> str:
        return f"{self.user} {self.quiet_hours_start}–{self.quiet_hours_end}"


class WeComRobot(models.Model):
    """A WeCom (企业微信) group robot of a region's volunteer group; its key is a secret."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="wecom_robots"
    )
    name = models.CharField(_("群名称"), max_length=100)
    key = EncryptedTextField(_("机器人密钥"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业微信群机器人")
        verbose_name_plural = _("企业微信群机器人")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_key(self) -> str:
        key = self.key or ""
        return (key[:4] + "…" + key[-2:]) if len(key) > 8 else "****"


class ProviderTemplate(models.Model):
    """A registered message template's approved code at a domestic SMS provider, entered by staff."""

    class Provider(models.TextChoices):
        ALIYUN = "aliyun", _("阿里云短信")
        TENCENT = "tencent", _("腾讯云短信")

    provider = models.CharField(_("服务商"), max_length=10, choices=Provider.choices)
    # The name of a notifications.templates.MessageTemplate, e.g. "notifications.otp".
    template = models.CharField(_("平台模板"), max_length=50)
    code = models.CharField(
        _("已审核的模板代码"), max_length=40, help_text=_("阿里云如 SMS_123456789，腾讯云如 1234567")
    )
    # The provider template's variables in its order (Tencent's {1}, {2} ...), comma-separated;
    # empty means the platform template's own placeholders in the order they appear.
    variables = models.CharField(_("变量名（按顺序，逗号分隔）"), max_length=200, blank=True)
    max_length = models.PositiveSmallIntegerField(
        _("单个变量最长字数"), null=True, blank=True, help_text=_("留空则按服务商规则：阿里云35字，腾讯云12字")
    )
    allow_links = models.BooleanField(_("变量可含链接"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("短信服务商模板")
        verbose_name_plural = _("短信服务商模板")
        ordering = ["provider", "template"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "template"], name="provider_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.template} → {self.code}"


class WebhookReceipt(models.Model):
    """One provider callback we acted on, by a key of what it says: a replay finds its key and changes nothing."""

    key = models.CharField(_("回调标识"), max_length=200, unique=True)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务商回调")
        verbose_name_plural = _("服务商回调")
        indexes = [models.Index(fields=["received_at"], name="webhook_receipt_received_idx")]

    def __str__(self) -> str:
        return self.key
