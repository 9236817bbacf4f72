"""Writes for pairing: runs, proposals, approval, and the lifecycle of a pairing."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Child
from backend.ops.errors import ConflictError, ServiceError
from backend.programmes.models import Programme
from backend.programmes.selectors import programme_list_for
from backend.regions.models import Region
from backend.volunteers.models import Team, Volunteer
from notifications.services import sms_send_template
from pairing import engine
from pairing.bulk_write import JsonCache, copy_rows
from pairing.models import Pairing, PairingRun, PairingRunPart, Proposal, ProposalApproval, RunUnmatched
from pairing.priority import PRIORITY_WEIGHTS
from pairing.selectors import (
    CURRENT,
    PLATFORM_LABELS,
    location_of,
    pairing_instance,
    run_part_sizes,
    split_key,
    team_capacity_left,
    unmatched_counts,
)

logger = logging.getLogger(__name__)


class PairingError(ServiceError):
    """A pairing that breaks one of the programme's rules; staff may override some."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", overridable: bool = False):
        super().__init__(message, field=field, code=code)
        self.overridable = overridable


def _today() -> datetime.date:
    return timezone.localdate()


def _require_child_in_scope(user: User, child: Child) -> None:
    if not user_region_scope(user).contains(child.village_id):
        raise ServiceError(_("儿童不在您的辖区内"), field="child")


def _require_helper_in_scope(user: User, volunteer: Volunteer | None, team: Team | None) -> None:
    """Refuse a volunteer or team outside the user's region as if it did not exist."""
    scope = user_region_scope(user)
    if volunteer is not None and not scope.contains(volunteer.village_id):
        raise ServiceError(_("没有这位爱心妈妈"), field="volunteer")
    # A team whose area covers her whole region (a city-wide team) serves her children too.
    covers = team is not None and bool(user.home_region_id) and user.home_region_id.startswith(team.region_id)
    if team is not None and not scope.contains(team.region_id) and not covers:
        raise ServiceError(_("没有这个小分队"), field="team")


# --- runs ---------------------------------------------------------------------------


def pairing_run_start(*, user: User, programme: Programme, region: Region) -> PairingRun:
    """Start a proposal run for a programme over a region; the engine runs in a Celery task."""
    if not user_region_scope(user).contains(region.code):
        raise ServiceError(_("只能为本辖区发起结对计算"), field="region")
    if not programme_list_for(user=user).filter(pk=programme.pk).exists():
        raise ServiceError(_("您不能使用该关爱项目"), field="programme")
    if not region.code.startswith(programme.region_id):
        raise ServiceError(_("所选区划不在该项目的范围内"), field="region")
    busy = PairingRun.objects.filter(
        programme=programme, status__in=[PairingRun.Status.QUEUED, PairingRun.Status.RUNNING]
    ).filter(Q(region__pk__startswith=region.code) | Q(region_id__in=Region(code=region.code).ancestor_codes()))
    if busy.exists():
        raise ConflictError(
            _("该区域已有一次结对计算正在进行，请等待其完成"),
            code="run_in_progress",
        )
    from pairing.tasks import pairing_run_task

    with transaction.atomic():
        run = PairingRun.objects.create(
            programme=programme,
            region=region,
            started_by=user,
            policy={
                "mode": programme.pairing_mode,
                "max_distance": programme.pairing_max_distance,
                "skill_bonus": programme.pairing_skill_bonus,
                "keep_bonus": programme.pairing_keep_bonus,
                "load_spread": programme.pairing_load_spread,
                "priority": {
                    name.removeprefix("pairing_priority_"): getattr(programme, name) for name in PRIORITY_WEIGHTS
                },
            },
        )
        transaction.on_commit(lambda: pairing_run_task.delay(run.pk))
    return run


def pairing_run_execute(*, run_id: int) -> PairingRun:
    """Split a run into independent parts (counties) and enqueue one task per part.

    A run over one county (or smaller) is solved right here, in one part.
    """
    from pairing.tasks import pairing_run_part_task

    with transaction.atomic():
        run = PairingRun.objects.select_for_update().select_related("programme").get(pk=run_id)
        if run.status != PairingRun.Status.QUEUED:
            return run  # a redelivered task: the run is already under way
        sizes = run_part_sizes(programme=run.programme, region_code=run.region_id)
        parts = [PairingRunPart(run=run, region_code=code) for code in sorted(sizes)]
        PairingRunPart.objects.bulk_create(parts, ignore_conflicts=True)
        run.parts_total = len(parts)
        run.status = PairingRun.Status.RUNNING
        run.save(update_fields=["parts_total", "status"])
        # the largest parts first, so that the workers do not end waiting on one big county
        ids = dict(run.parts.values_list("region_code", "id"))
        part_ids = [ids[code] for code in sorted(ids, key=lambda code: (-sizes.get(code, 0), code))]
    if not part_ids:
        pairing_run_finish(run_id=run.pk)
    elif len(part_ids) == 1:
        pairing_run_part_execute(part_id=part_ids[0])
    else:
        for part_id in part_ids:
            pairing_run_part_task.delay(part_id)
    run.refresh_from_db()
    return run


def pairing_run_part_execute(*, part_id: int) -> PairingRunPart:
    """Solve one part of a run and save its proposals; the last part finishes the run."""
    part = PairingRunPart.objects.select_related("run__programme").get(pk=part_id)
    if part.status != PairingRunPart.Status.QUEUED:
        return part
    run = part.run
    try:
        instance = pairing_instance(programme=run.programme, region_code=part.region_code)
        # one solve per independent piece: a part glued by a city-wide team holds several counties
        result = engine.solve_split(instance, PLATFORM_LABELS)
    except Exception as exc:
        logger.exception("pairing run %s part %s failed", run.pk, part.region_code)
        with transaction.atomic():
            if PairingRunPart.objects.filter(pk=part.pk, status=PairingRunPart.Status.QUEUED).update(
                status=PairingRunPart.Status.FAILED, error=str(exc)[:2000]
            ):
                PairingRun.objects.filter(pk=run.pk).update(parts_done=F("parts_done") + 1)
        pairing_run_finish(run_id=run.pk)
        return part
    with transaction.atomic():
        # Claim the part: a duplicate delivery of this task writes nothing.
        if not PairingRunPart.objects.filter(pk=part.pk, status=PairingRunPart.Status.QUEUED).update(
            status=PairingRunPart.Status.DONE, stats={**_stats_dict(result.stats), **unmatched_counts(result.unmatched)}
        ):
            return part
        run_result_save(run=run, result=result)
        PairingRun.objects.filter(pk=run.pk).update(parts_done=F("parts_done") + 1)
    pairing_run_finish(run_id=run.pk)
    part.refresh_from_db()
    return part


def run_result_save(*, run: PairingRun, result: engine.Result) -> None:
    """Write a solve's proposals and unmatched children into a run (with COPY: pairing/bulk_write.py)."""
    fresh = (Proposal.Status.PROPOSED.value, False, "", timezone.now())  # the model's defaults: COPY knows none
    reasons = JsonCache()
    proposals = []
    for p in result.proposals:
        kind, pk = split_key(p.team_id or p.helper_id)
        volunteer, team = (pk, None) if kind == "volunteer" else (None, pk)
        proposals.append((run.pk, p.beneficiary_id, volunteer, team, p.score, reasons[p.reason_text], *fresh))
    copy_rows(Proposal, PROPOSAL_COLUMNS, proposals)
    copy_rows(
        RunUnmatched,
        UNMATCHED_COLUMNS,
        ((run.pk, u.beneficiary_id, u.code.value, u.missing, u.text[:300], u.priority) for u in result.unmatched),
    )


# what run_result_save writes; the other columns are NULL (decided_by, decided_at)
PROPOSAL_COLUMNS = (
    "run_id",
    "child_id",
    "volunteer_id",
    "team_id",
    "score",
    "reasons",
    "status",
    "edited",
    "rejection_reason",
    "created_at",
)
UNMATCHED_COLUMNS = ("run_id", "child_id", "code", "missing", "reason", "priority")


def _stats_dict(stats: engine.Stats) -> dict:
    return {name: getattr(stats, name) for name in stats.__slots__}


def pairing_run_finish(*, run_id: int) -> None:
    """Close a run once all its parts are done: add up figures, supersede older proposals."""
    with transaction.atomic():
        run = PairingRun.objects.select_for_update().get(pk=run_id)
        if run.status != PairingRun.Status.RUNNING or run.parts_done < run.parts_total:
            return
        parts = list(run.parts.all())
        totals: dict[str, int] = {}
        for part in parts:
            for key, value in part.stats.items():
                totals[key] = totals.get(key, 0) + value
        failed = [p for p in parts if p.status == PairingRunPart.Status.FAILED]
        totals["parts_failed"] = len(failed)
        run.stats = totals
        run.status = PairingRun.Status.FAILED if failed and len(failed) == len(parts) else PairingRun.Status.DONE
        run.error = "; ".join(f"{p.region_code}: {p.error[:200]}" for p in failed)
        run.finished_at = timezone.now()
        run.save(update_fields=["stats", "status", "error", "finished_at"])
        # Older open proposals for the same children are replaced by this run's.
        Proposal.objects.filter(
            status=Proposal.Status.PROPOSED,
            run__programme=run.programme,
            child__village__pk__startswith=run.region_id,
        ).exclude(run=run).update(status=Proposal.Status.SUPERSEDED)


# --- checks -------------------------------------------------------------------------


def pairing_check(
    *, programme: Programme, child: Child, volunteer: Volunteer | None, team: Team | None
) -> list[PairingError]:
    """Return the programme's rules a pairing would break (empty if none).

    The same rules the engine applies: capacity, distance, never-pair; plus status checks
    that no override can lift.
    """
    problems: list[PairingError] = []
    if child.status != Child.Status.ACTIVE:
        problems.append(PairingError(_("该儿童已退出，不能结对"), field="child"))
    if (volunteer is None) == (team is None):
        problems.append(PairingError(_("请选择一位爱心妈妈或一个小分队"), field="volunteer"))
        return problems
    helper_location = location_of(volunteer.village_id if volunteer else team.region_id)
    if volunteer is not None:
        if volunteer.status != Volunteer.Status.ACTIVE:
            problems.append(PairingError(_("该爱心妈妈不在岗"), field="volunteer"))
        current = Pairing.objects.filter(volunteer=volunteer, status__in=CURRENT)
        if current.filter(child=child).exists():
            problems.append(PairingError(_("已与该儿童结对"), field="volunteer", code="duplicate"))
        elif current.count() >= volunteer.capacity:
            problems.append(
                PairingError(
                    _("该爱心妈妈已满额（可结对%(n)d名）") % {"n": volunteer.capacity},
                    field="volunteer",
                    code="capacity",
                    overridable=True,
                )
            )
    else:
        if Pairing.objects.filter(team=team, child=child, status__in=CURRENT).exists():
            problems.append(PairingError(_("该小分队已与该儿童结对"), field="team", code="duplicate"))
        elif team_capacity_left(team=team) <= 0:
            # a team wider than one county is proposed by runs of several counties: its room is checked here
            problems.append(PairingError(_("该小分队已满额"), field="team", code="capacity", overridable=True))
    level = engine.Distance(len(_common_prefix(location_of(child.village_id), helper_location)))
    if team is not None:
        # a team's area replaces the distance limit (as in the engine), however wide the area
        if not child.village_id.startswith(team.region_id):
            problems.append(
                PairingError(_("儿童不在该小分队的服务区域内"), field="team", code="distance", overridable=True)
            )
    elif level < programme.pairing_max_distance:
        problems.append(
            PairingError(
                _("距离超出项目允许的范围（%(limit)s）")
                % {"limit": Programme.MaxDistance(programme.pairing_max_distance).label},
                field="volunteer" if volunteer else "team",
                code="distance",
                overridable=True,
            )
        )
    never = Pairing.objects.filter(Pairing.not_again_q(), child=child)
    if never.filter(Q(volunteer=volunteer) if volunteer else Q(team=team)).exists():
        problems.append(
            PairingError(
                _("此前结对结束时已标记“不再结对”"),
                field="volunteer" if volunteer else "team",
                code="never_pair",
                overridable=True,
            )
        )
    return problems


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    common = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common.append(x)
    return tuple(common)


# --- creating and ending pairings ----------------------------------------------------------


def pairing_create(
    *,
    programme: Programme,
    child: Child,
    user: User,
    volunteer: Volunteer | None = None,
    team: Team | None = None,
    override_note: str = "",
    proposal: Proposal | None = None,
    started_on: datetime.date | None = None,
) -> Pairing:
    """Pair a volunteer (or a team) with a child, enforcing capacity under concurrency.

    The volunteer's row is locked for the check and the insert, so two staff approving
    at once cannot over-fill her. Rules that staff may override need ``override_note``.
    """
    _require_child_in_scope(user, child)
    if proposal is None:
        # An engine proposal may pair across counties within the programme's distance; its
        # approval checks the child. Staff pairing by hand choose only helpers they can see.
        _require_helper_in_scope(user, volunteer, team)
    with transaction.atomic():
        if volunteer is not None:
            volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if team is not None:
            team = Team.objects.select_for_update().get(pk=team.pk)
        child = Child.objects.select_for_update().get(pk=child.pk)
        problems = pairing_check(programme=programme, child=child, volunteer=volunteer, team=team)
        hard = [p for p in problems if not p.overridable]
        if hard:
            raise hard[0]
        if problems and not override_note.strip():
            first = problems[0]
            raise PairingError(
                f"{first.message}。" + _("如确需结对，请填写越过检查的说明"),
                field=first.field,
                code=first.code,
                overridable=True,
            )
        try:
            with transaction.atomic():
                pairing = Pairing.objects.create(
                    programme=programme,
                    child=child,
                    volunteer=volunteer,
                    team=team,
                    started_on=started_on or _today(),
                    proposal=proposal,
                    override_note=override_note.strip()[:300] if problems else "",
                    created_by=user,
                )
        except IntegrityError as exc:
            raise ConflictError(_("该结对已存在"), code="duplicate") from exc
        _notify_new_pairing(pairing)
    return pairing


def _notify_new_pairing(pairing: Pairing) -> None:
    """Tell the volunteer(s) and their caring unit; never the child's full name."""
    child = pairing.child
    params = {
        "given_name": child.given_name,
        "age": child.age_on(_today()),
        "village": child.village.name if child.village_id else "",
    }
    volunteers = [pairing.volunteer] if pairing.volunteer else list(pairing.team.members.filter(status="active"))
    for volunteer in volunteers:
        sms_send_template(
            phone=volunteer.phone,
            template="pairing_new_volunteer",
            params=params,
            idempotency_key=f"pairing-new:{pairing.pk}:v{volunteer.pk}",
        )
        unit = volunteer.caring_unit
        if unit is not None and unit.contact_phone:
            sms_send_template(
                phone=unit.contact_phone,
                template="pairing_new_unit",
                params={"unit": unit.name, "volunteer": volunteer.name},
                idempotency_key=f"pairing-new:{pairing.pk}:u{unit.pk}:v{volunteer.pk}",
            )


def pairing_pause(*, pairing: Pairing, user: User, note: str = "") -> Pairing:
    """Pause an active pairing (it keeps the volunteer's capacity)."""
    _require_child_in_scope(user, pairing.child)
    updated = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.ACTIVE).update(status=Pairing.Status.PAUSED)
    if not updated:
        raise ServiceError(_("只有关爱中的结对可以暂停"), field="status")
    pairing.refresh_from_db()
    return pairing


def pairing_resume(*, pairing: Pairing, user: User) -> Pairing:
    """Resume a paused pairing."""
    _require_child_in_scope(user, pairing.child)
    updated = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PAUSED).update(status=Pairing.Status.ACTIVE)
    if not updated:
        raise ServiceError(_("只有暂停的结对可以恢复"), field="status")
    pairing.refresh_from_db()
    return pairing


def pairing_end(
    *,
    pairing: Pairing,
    user: User | None,
    reason: str,
    note: str = "",
    do_not_pair_again: bool = False,
    ended_on: datetime.date | None = None,
) -> Pairing:
    """End a pairing with a reason; the child is then flagged for re-pairing if she has too few.

    A "not again" reason (``Pairing.NOT_AGAIN_REASONS``) sets ``do_not_pair_again`` whatever was asked.
    """
    if user is not None:
        _require_child_in_scope(user, pairing.child)
    if reason not in Pairing.EndReason.values:
        raise ServiceError(_("请选择结束原因"), field="reason")
    with transaction.atomic():
        updated = Pairing.objects.filter(pk=pairing.pk, status__in=CURRENT).update(
            status=Pairing.Status.ENDED,
            end_reason=reason,
            end_note=note[:300],
            ended_on=ended_on or _today(),
            do_not_pair_again=do_not_pair_again or reason in Pairing.NOT_AGAIN_REASONS,
        )
        if not updated:
            raise ServiceError(_("该结对已结束"), field="status")
    pairing.refresh_from_db()
    return pairing


def pairings_end_for_volunteer(
    *, volunteer: Volunteer, reason: str = Pairing.EndReason.VOLUNTEER_EXITED, note: str = ""
) -> int:
    """End every current pairing of a volunteer who leaves; return how many ended."""
    return Pairing.objects.filter(volunteer=volunteer, status__in=CURRENT).update(
        status=Pairing.Status.ENDED,
        end_reason=reason,
        end_note=note[:300],
        ended_on=_today(),
        do_not_pair_again=reason in Pairing.NOT_AGAIN_REASONS,
    )


def pairings_end_for_child(*, child: Child, note: str = "") -> int:
    """End every current pairing of a child who exits the programme; return how many ended."""
    return Pairing.objects.filter(child=child, status__in=CURRENT).update(
        status=Pairing.Status.ENDED, end_reason=Pairing.EndReason.CHILD_EXITED, end_note=note[:300], ended_on=_today()
    )


# --- proposals ----------------------------------------------------------------------


def _open_proposal(proposal: Proposal, user: User) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("run__programme", "child").get(pk=proposal.pk)
    _require_child_in_scope(user, proposal.child)
    if proposal.status != Proposal.Status.PROPOSED:
        raise ConflictError(
            _("该建议已处理（%(status)s）") % {"status": proposal.get_status_display()},
            code="decided",
        )
    return proposal


def _approval_level_of(user: User) -> int | None:
    if user.is_superuser:
        return None
    return user.home_region.level if user.home_region_id else None


def proposal_approve(*, proposal: Proposal, user: User, override_note: str = "") -> Proposal:
    """Approve a proposal at the user's level; the last required level creates the pairing."""
    with transaction.atomic():
        proposal = _open_proposal(proposal, user)
        levels = sorted(set(proposal.run.programme.approval_levels or []), reverse=True)  # village (5) first
        if levels and not user.is_superuser:
            level = _approval_level_of(user)
            done = set(proposal.approvals.values_list("level", flat=True))
            pending = [lv for lv in levels if lv not in done]
            if level not in pending:
                raise ServiceError(_("该建议不需要您这一级审批"), field="level")
            if pending[0] != level:
                raise ServiceError(
                    _("需先由下一级审批") + f" ({Region.Level(pending[0]).label})",
                    field="level",
                )
            ProposalApproval.objects.create(proposal=proposal, level=level, approved_by=user)
            if len(pending) > 1:
                return proposal
        pairing_create(
            programme=proposal.run.programme,
            child=proposal.child,
            volunteer=proposal.volunteer,
            team=proposal.team,
            user=user,
            override_note=override_note,
            proposal=proposal,
        )
        proposal.status = Proposal.Status.APPROVED
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


def proposals_approve_bulk(*, proposals: list[Proposal], user: User) -> dict:
    """Approve several proposals, each on its own; return which were approved and why others were not."""
    approved, failed = [], []
    for proposal in proposals:
        try:
            proposal_approve(proposal=proposal, user=user)
            approved.append(proposal.pk)
        except ServiceError as exc:
            failed.append({"id": proposal.pk, "error": exc.message})
    return {"approved": approved, "failed": failed}


def proposal_reject(*, proposal: Proposal, user: User, reason: str) -> Proposal:
    """Reject a proposal; a reason is required."""
    if not reason or not reason.strip():
        raise ServiceError(_("驳回必须填写理由"), field="reason")
    with transaction.atomic():
        proposal = _open_proposal(proposal, user)
        proposal.status = Proposal.Status.REJECTED
        proposal.rejection_reason = reason.strip()[:300]
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
    return proposal


def proposal_edit(
    *, proposal: Proposal, user: User, volunteer: Volunteer | None = None, team: Team | None = None
) -> Proposal:
    """Give a proposal another volunteer or team; the rules are checked again on approval."""
    if (volunteer is None) == (team is None):
        raise ServiceError(_("请选择一位爱心妈妈或一个小分队"), field="volunteer")
    with transaction.atomic():
        proposal = _open_proposal(proposal, user)
        _require_helper_in_scope(user, volunteer, team)
        proposal.volunteer, proposal.team = volunteer, team
        proposal.edited = True
        proposal.reasons = [_("人工调整")]
        proposal.save(update_fields=["volunteer", "team", "edited", "reasons"])
    return proposal
