from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One read, reveal or export of personal data: who, when, which records, from where.

    Append-only: the admin offers no change or delete, and nothing in the code updates a row.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        LIST = "list", _("列表")
        REVEAL = "reveal", _("查看完整证件号")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        CHANGE = "change", _("修改")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_ids = models.JSONField(_("对象编号"), default=list)
    # Region of the records, so staff can review the log for their own area.
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    path = models.CharField(_("地址"), max_length=300, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region_code"], name="audit_region_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_type", "created_at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.object_type}"
