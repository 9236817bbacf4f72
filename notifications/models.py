from django.db import models
from django.utils.translation import gettext_lazy as _


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
    template = models.CharField(_("模板"), max_length=50, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    body = models.TextField(_("内容"))
    idempotency_key = models.CharField(_("幂等键"), max_length=120, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    provider_id = models.CharField(_("服务商编号"), max_length=64, blank=True)
    segments = models.PositiveSmallIntegerField(_("计费条数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息发件箱")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


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
