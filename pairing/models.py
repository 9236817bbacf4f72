from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PairingRun(models.Model):
    """One run of the pairing engine for a programme over a region; its result is proposals."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.PROTECT, related_name="pairing_runs"
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    parts_total = models.PositiveIntegerField(_("分片数"), default=0)
    parts_done = models.PositiveIntegerField(_("已完成分片"), default=0)
    # Figures of the result: children considered, covered, proposals, cost; see pairing.engine Stats.
    stats = models.JSONField(_("统计"), default=dict, blank=True)
    policy = models.JSONField(_("规则快照"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结对计算")
        verbose_name_plural = _("结对计算")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region"], name="run_region_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.region} {self.get_status_display()}"

    @property
    def progress(self) -> int:
        """Return the share of the run that is done, in percent."""
        if self.status == self.Status.DONE:
            return 100
        if not self.parts_total:
            return 0
        return min(99, round(100 * self.parts_done / self.parts_total))


class PairingRunPart(models.Model):
    """One independent piece of a run (a county), solved by its own task in parallel."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    run = models.ForeignKey(PairingRun, on_delete=models.CASCADE, related_name="parts")
    region_code = models.CharField(_("区划代码"), max_length=12)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stats = models.JSONField(_("统计"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("结对计算分片")
        verbose_name_plural = _("结对计算分片")
        constraints = [models.UniqueConstraint(fields=["run", "region_code"], name="run_part_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.region_code}"


class Proposal(models.Model):
    """A pairing suggested by the engine (or edited by staff), awaiting approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        SUPERSEDED = "superseded", _("已被新计算取代")

    run = models.ForeignKey(PairingRun, verbose_name=_("结对计算"), on_delete=models.CASCADE, related_name="proposals")
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="pairing_proposals"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("爱心妈妈"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pairing_proposals",
    )
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("关爱小分队"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pairing_proposals",
    )
    score = models.IntegerField(_("匹配分"), default=0)
    reasons = models.JSONField(_("理由"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    edited = models.BooleanField(_("经人工调整"), default=False)
    rejection_reason = models.CharField(_("驳回理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对建议")
        verbose_name_plural = _("结对建议")
        ordering = ["run_id", "child_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, team__isnull=True) | Q(volunteer__isnull=True, team__isnull=False),
                name="proposal_one_helper",
            ),
        ]
        indexes = [models.Index(fields=["status", "run"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.child_id} ↔ {self.volunteer_id or self.team_id}"


class ProposalApproval(models.Model):
    """One level's approval of a proposal, where the programme asks for several levels."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="approvals")
    level = models.PositiveSmallIntegerField(_("审批层级"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分级审批")
        verbose_name_plural = _("分级审批")
        constraints = [models.UniqueConstraint(fields=["proposal", "level"], name="proposal_level_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id}@{self.level}"


class Pairing(models.Model):
    """An approved link between a volunteer (or a team) and a child (结对)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("关爱中")
        PAUSED = "paused", _("暂停")
        ENDED = "ended", _("已结束")

    class EndReason(models.TextChoices):
        VOLUNTEER_EXITED = "volunteer_exited", _("爱心妈妈退出")
        CHILD_EXITED = "child_exited", _("儿童退出")
        MOVED = "moved", _("迁居")
        MISMATCH = "mismatch", _("不适合")
        AT_REQUEST = "at_request", _("应要求结束")
        FAMILY_DECLINED = "family_declined", _("家庭婉拒")
        SCHOOL_CHANGED = "school_changed", _("升学或转学")
        PAUSE_ENDED = "pause_ended", _("暂停后结束")
        OTHER = "other", _("其他")

    # What an ended pairing means for the next run (docs/pairing.md, "Ended pairings"):
    # these reasons mean "not again" (never proposed again, whatever the checkbox said) ...
    NOT_AGAIN_REASONS = frozenset(
        {
            EndReason.VOLUNTEER_EXITED,
            EndReason.MOVED,
            EndReason.MISMATCH,
            EndReason.AT_REQUEST,
            EndReason.FAMILY_DECLINED,
        }
    )
    # ... these may be resumed, with the programme's keep bonus ("延续原结对"); the rest neither.
    KEEP_REASONS = frozenset({EndReason.CHILD_EXITED, EndReason.SCHOOL_CHANGED, EndReason.PAUSE_ENDED})

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("关爱项目"), on_delete=models.PROTECT, related_name="pairings"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="pairings"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("爱心妈妈"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("关爱小分队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("结束说明"), max_length=300, blank=True)
    do_not_pair_again = models.BooleanField(_("不再结对"), default=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("来源建议"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when staff paired against the engine's checks (capacity, distance, never-pair).
    override_note = models.CharField(_("越过检查的说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建立人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, team__isnull=True) | Q(volunteer__isnull=True, team__isnull=False),
                name="pairing_one_helper",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused"], ended_on__isnull=True, end_reason="")
                | Q(status="ended", ended_on__isnull=False) & ~Q(end_reason=""),
                name="pairing_end_complete",
            ),
            models.UniqueConstraint(
                fields=["child", "volunteer"],
                condition=Q(status__in=["active", "paused"], volunteer__isnull=False),
                name="pairing_child_volunteer_once",
            ),
            models.UniqueConstraint(
                fields=["child", "team"],
                condition=Q(status__in=["active", "paused"], team__isnull=False),
                name="pairing_child_team_once",
            ),
        ]
        indexes = [
            # "Is this child paired?" (dashboard, runs) reads only the active rows.
            models.Index(fields=["child"], name="pairing_active_child_idx", condition=Q(status="active")),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} ↔ {self.volunteer_id or self.team_id} ({self.get_status_display()})"

    @property
    def is_current(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PAUSED)

    @classmethod
    def not_again_q(cls) -> Q:
        """Return the ended pairings whose volunteer or team must never be proposed again."""
        return Q(status=cls.Status.ENDED) & (Q(do_not_pair_again=True) | Q(end_reason__in=cls.NOT_AGAIN_REASONS))


class RunUnmatched(models.Model):
    """A child a run left without (enough) volunteers, and why, in words."""

    run = models.ForeignKey(PairingRun, verbose_name=_("结对计算"), on_delete=models.CASCADE, related_name="unmatched")
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="pairing_unmatched"
    )
    code = models.CharField(_("原因代码"), max_length=30)
    missing = models.PositiveSmallIntegerField(_("尚缺人数"), default=1)
    reason = models.CharField(_("原因"), max_length=300)
    priority = models.PositiveIntegerField(_("优先级"), default=0)

    class Meta:
        verbose_name = _("未结对儿童")
        verbose_name_plural = _("未结对儿童")
        ordering = ["run_id", "-priority", "child_id"]
        constraints = [models.UniqueConstraint(fields=["run", "child"], name="run_unmatched_once")]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.reason}"
