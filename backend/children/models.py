"""One file per child (一人一档): the child, the file's change history, concerns, imports."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.privacy.crypto import keyed_hash
from backend.privacy.fields import EncryptedTextField


def guardian_phone_hash(phone: str) -> str:
    """Return the keyed hash of a guardian's phone in E.164 (as the outbox writes numbers), or "" if there
    is none or it is not a possible number."""
    from backend.ops.errors import ServiceError
    from notifications.services import phone_normalise

    try:
        return keyed_hash(phone_normalise(phone), purpose="guardian_phone")
    except ServiceError:
        return ""


class Child(models.Model):
    """A left-behind child (留守儿童) or child in difficulty (困境儿童) and her file."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("女")
        MALE = "M", _("男")

    class Category(models.TextChoices):
        LEFT_BEHIND = "left_behind", _("留守儿童")
        IN_DIFFICULTY = "in_difficulty", _("困境儿童")

    class DifficultySubtype(models.TextChoices):
        ORPHAN = "orphan", _("孤儿")
        UNSUPPORTED = "unsupported", _("事实无人抚养")
        ILL_DISABLED = "ill_disabled", _("重病重残")
        POVERTY = "poverty", _("低保/特困")

    class GuardianRelation(models.TextChoices):
        GRANDPARENT = "grandparent", _("祖父母/外祖父母")
        FATHER = "father", _("父亲")
        MOTHER = "mother", _("母亲")
        RELATIVE = "relative", _("其他亲属")
        ENTRUSTED = "entrusted", _("委托照护人")
        INSTITUTION = "institution", _("福利机构")
        OTHER = "other", _("其他")

    class Need(models.TextChoices):
        STUDY = "study", _("学业辅导")
        PSYCHOLOGICAL = "psychological", _("心理关爱")
        DAILY_LIFE = "daily_life", _("生活照料")
        SAFETY = "safety", _("安全保护")

    class RiskLevel(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        EXITED = "exited", _("已退出")

    class ExitReason(models.TextChoices):
        TURNED_18 = "turned_18", _("年满18周岁")
        PARENTS_RETURNED = "parents_returned", _("父母返乡")
        MOVED_AWAY = "moved_away", _("迁出")
        OTHER = "other", _("其他")

    family_name = models.CharField(_("姓"), max_length=20)
    given_name = models.CharField(_("名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号码"))
    # Keyed hash of the normalised number: exact-match search and duplicate detection.
    id_number_hash = models.CharField(_("身份证号码摘要"), max_length=64, editable=False)
    # What everyone may see (140521********1234), kept so lists and the ledger need no decryption.
    id_number_masked = models.CharField(_("身份证号码（脱敏）"), max_length=18, editable=False)
    # Indexed by child_village_prefix_idx below (it serves equality and prefix lookups),
    # so not also by Django's two default indexes for a foreign key.
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address_detail = EncryptedTextField(_("详细住址"), blank=True)
    school = models.CharField(_("学校"), max_length=100, blank=True)
    grade = models.CharField(_("年级"), max_length=30, blank=True)
    category = models.CharField(_("儿童类别"), max_length=20, choices=Category.choices)
    difficulty_subtype = models.CharField(_("困境类型"), max_length=20, choices=DifficultySubtype.choices, blank=True)
    guardian_name = models.CharField(_("监护人/照护人姓名"), max_length=50)
    guardian_relation = models.CharField(_("与儿童关系"), max_length=20, choices=GuardianRelation.choices)
    guardian_phone = EncryptedTextField(_("监护人电话"), blank=True)
    # Keyed hash of the guardian's number in E.164 ("" if none, or not a possible number): the
    # guardian's SMS-code pages find her children with it, never by decrypting a region's files.
    guardian_phone_hash = models.CharField(_("监护人电话摘要"), max_length=64, blank=True, editable=False)
    parents_work_place = models.CharField(_("父母务工地"), max_length=100, blank=True)
    needs = models.JSONField(_("关爱需求"), default=list, blank=True)
    needs_note = models.TextField(_("需求说明"), blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    volunteers_wanted = models.PositiveSmallIntegerField(_("需要爱心妈妈人数"), default=1)
    consent_given_by = models.CharField(_("同意人"), max_length=50, blank=True)
    consent_relation = models.CharField(_("同意人与儿童关系"), max_length=20, blank=True)
    consent_given_on = models.DateField(_("同意日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    exit_reason = models.CharField(_("退出原因"), max_length=20, choices=ExitReason.choices, blank=True)
    exit_note = models.CharField(_("退出说明"), max_length=200, blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("儿童档案")
        verbose_name_plural = _("儿童档案")
        ordering = ["-id"]
        indexes = [
            # "region and below" is a prefix match on the village code.
            # It carries the id, status and registration time, so that the dashboard's walks from
            # a region to its children's pairings and due states, and its unpaired list, read
            # the index alone.
            models.Index(
                fields=["village"],
                name="child_village_prefix_idx",
                opclasses=["varchar_pattern_ops"],
                include=["id", "status", "created_at"],
            ),
            # The dashboard's "unpaired children, longest waiting first" walks this in order.
            models.Index(fields=["created_at", "id"], condition=Q(status="active"), name="child_active_created_idx"),
            # Exact-match search by ID number, whatever the status (the unique index covers active files only).
            models.Index(fields=["id_number_hash"], name="child_id_number_hash_idx"),
            models.Index(
                fields=["guardian_phone_hash"], condition=~Q(guardian_phone_hash=""), name="child_guardian_phone_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=Q(status="active"), name="child_active_id_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(category="left_behind", difficulty_subtype="")
                | Q(category="in_difficulty") & ~Q(difficulty_subtype=""),
                name="child_subtype_matches_category",
            ),
            models.CheckConstraint(
                condition=Q(status="active", exit_reason="", exited_on__isnull=True)
                | Q(status="exited") & ~Q(exit_reason="") & Q(exited_on__isnull=False),
                name="child_exit_complete",
            ),
            models.CheckConstraint(
                condition=Q(volunteers_wanted__gte=1, volunteers_wanted__lte=10), name="child_volunteers_wanted_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}{self.given_name}"

    def save(self, *args, **kwargs):
        # Kept beside the number it is made from, whichever path saves the file.
        self.guardian_phone_hash = guardian_phone_hash(self.guardian_phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "guardian_phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "guardian_phone_hash"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.family_name}{self.given_name}"

    def age_on(self, day: datetime.date) -> int:
        """Return the child's age in whole years on a day."""
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class ChildChange(models.Model):
    """One changed field of a child's file: who, when, old → new (sensitive values masked)."""

    child = models.ForeignKey(Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True, db_index=True)
    field = models.CharField(_("字段"), max_length=50)
    old_value = models.TextField(_("原值"), blank=True)
    new_value = models.TextField(_("新值"), blank=True)
    source = models.CharField(_("来源"), max_length=20, default="edit")  # edit / import / exit / create

    class Meta:
        verbose_name = _("档案变更记录")
        verbose_name_plural = _("档案变更记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class Concern(models.Model):
    """Something seen about a child that staff must act on (关注事项)."""

    class Severity(models.TextChoices):
        LOW = "low", _("一般")
        MEDIUM = "medium", _("较重")
        HIGH = "high", _("严重")
        URGENT = "urgent", _("紧急")

    class Category(models.TextChoices):
        NEGLECT = "neglect", _("疏于照料")
        ABUSE = "abuse", _("疑似受虐待")
        DROPPING_OUT = "dropping_out", _("辍学风险")
        PSYCHOLOGICAL = "psychological", _("心理困扰")
        SAFETY = "safety", _("安全隐患")
        HEALTH = "health", _("健康问题")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已受理")
        CLOSED = "closed", _("已办结")

    class ReferTo(models.TextChoices):
        POLICE = "police", _("派出所")
        CIVIL_AFFAIRS = "civil_affairs", _("民政")
        SCHOOL = "school", _("学校")
        SOCIAL_WORK = "social_work", _("社工站")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("问题已解决")
        REFERRED = "referred", _("已转介有关部门处理")
        NO_ACTION = "no_action", _("经核实无需处理")
        MOVED_AWAY = "moved_away", _("儿童已迁出")
        OTHER = "other", _("其他")

    # How long staff have to acknowledge (受理) a concern of each severity before it is
    # escalated to the level above (county, then city).
    ACKNOWLEDGE_WITHIN = {
        Severity.URGENT: datetime.timedelta(hours=24),
        Severity.HIGH: datetime.timedelta(hours=72),
        Severity.MEDIUM: datetime.timedelta(days=7),
        Severity.LOW: datetime.timedelta(days=14),
    }

    child = models.ForeignKey(Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("情况描述"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.TextField(_("办结说明"), blank=True, help_text=_("如：已转介乡镇社工站"))
    # A database default too: rows written with COPY or raw SQL (bench data, imports) need none.
    outcome = models.CharField(_("办结结果"), max_length=20, choices=Outcome.choices, blank=True, db_default="")
    referred_to = models.CharField(_("转介至"), max_length=20, choices=ReferTo.choices, blank=True, db_default="")
    referred_at = models.DateTimeField(_("转介时间"), null=True, blank=True)
    # When it must be acknowledged by (from the severity); escalated to the level above when missed.
    acknowledge_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报上级时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关注事项")
        verbose_name_plural = _("关注事项")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["child", "status"], name="concern_child_status_idx"),
            # The dashboard's "open concerns, oldest first" walks this in order.
            models.Index(fields=["created_at", "id"], condition=~Q(status="closed"), name="concern_open_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closing_note="") & Q(closed_at__isnull=False),
                name="concern_closed_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_severity_display()})"

    @property
    def reference(self) -> str:
        """The number staff quote for a concern (in messages instead of anything about the child)."""
        return f"GZ{self.pk:06d}"

    def is_overdue(self, now: datetime.datetime) -> bool:
        """Return whether it is still unacknowledged past its deadline."""
        return self.status == self.Status.OPEN and self.acknowledge_due_at is not None and now > self.acknowledge_due_at


class ConcernStep(models.Model):
    """One step of a concern's handling, for its history: who did what, when, with what note."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("报告")
        ACKNOWLEDGED = "acknowledged", _("受理")
        REFERRED = "referred", _("转介")
        FOLLOW_UP = "follow_up", _("跟进")
        ESCALATED = "escalated", _("超时上报上级")
        CLOSED = "closed", _("办结")

    concern = models.ForeignKey(Concern, verbose_name=_("关注事项"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=20, choices=Kind.choices)
    # Empty for what the platform did by itself (an escalation).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)
    referred_to = models.CharField(_("转介至"), max_length=20, choices=Concern.ReferTo.choices, blank=True)
    outcome = models.CharField(_("办结结果"), max_length=20, choices=Concern.Outcome.choices, blank=True)
    # The region told, for an escalation (a county or city code).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("上报至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("关注事项办理记录")
        verbose_name_plural = _("关注事项办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["concern", "at"], name="concernstep_concern_at_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConcernEscalation(models.Model):
    """Due work: tell the staff of ``region`` at ``due_at`` if the concern is still not acknowledged.

    One row per level (county, then city), written when the concern is raised or the level
    below was told; a beat dispatcher claims due rows and a task sends them through the outbox.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待")
        QUEUED = "queued", _("已排队")
        SENT = "sent", _("已上报")
        CANCELLED = "cancelled", _("已取消")

    concern = models.ForeignKey(
        Concern, verbose_name=_("关注事项"), on_delete=models.CASCADE, related_name="escalations"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("上报至"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    due_at = models.DateTimeField(_("到期时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    messages_sent = models.PositiveSmallIntegerField(_("消息数"), default=0)

    class Meta:
        verbose_name = _("关注事项超时上报")
        verbose_name_plural = _("关注事项超时上报")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="concernesc_pending_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["concern", "region"], name="concernesc_once_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.concern_id} → {self.region_id}"


class ImportJob(models.Model):
    """One uploaded spreadsheet of children, validated and imported by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已导入")
        REJECTED = "rejected", _("有错误，未导入")
        FAILED = "failed", _("处理失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    file_format = models.CharField(_("格式"), max_length=10, choices=Format.choices)
    # The upload, encrypted (it holds ID numbers); emptied once processed.
    content = EncryptedTextField(_("文件内容（加密）"), blank=True)
    import_valid_rows = models.BooleanField(_("仅导入无误的行"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("儿童导入任务")
        verbose_name_plural = _("儿童导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
