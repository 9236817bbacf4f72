"""Reads for pairing: region-scoped lists, and rows turned into the engine's input."""

import datetime
import functools
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, TextField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Child, Concern
from backend.programmes.models import Programme
from backend.regions.models import Region
from backend.volunteers.models import Team, Volunteer
from pairing import engine
from pairing.models import Pairing, PairingRun, Proposal, RunUnmatched
from pairing.priority import ChildFacts, child_priority, priority_words

CURRENT = (Pairing.Status.ACTIVE, Pairing.Status.PAUSED)

# Which of a volunteer's skills serve which of a child's needs.
SKILL_SERVES_NEEDS: dict[str, frozenset[str]] = {
    "psychology": frozenset({"psychological"}),
    "social_work": frozenset({"psychological", "safety"}),
    "teaching": frozenset({"study"}),
    "family_education": frozenset({"study", "daily_life"}),
    "law": frozenset({"safety"}),
    "medical": frozenset({"daily_life"}),
    "daily_care": frozenset({"daily_life"}),
}

PLATFORM_LABELS = engine.Labels(
    needs={
        "psychological": ("心理关爱需求", "psychological need"),
        "study": ("学业辅导需求", "study need"),
        "daily_life": ("生活照料需求", "daily-life need"),
        "safety": ("安全保护需求", "safety need"),
    },
    skills={
        "psychology": ("心理咨询", "counsellor"),
        "social_work": ("社会工作", "social worker"),
        "teaching": ("教师", "teacher"),
        "family_education": ("家庭教育", "family-education tutor"),
        "law": ("法律", "lawyer"),
        "medical": ("医护", "nurse or doctor"),
        "daily_care": ("生活照料", "daily care"),
    },
)


@functools.lru_cache(maxsize=100_000)
def location_of(code: str) -> tuple[str, ...]:
    """Return a region code as the engine's location: its ancestors' codes, coarse to fine.

    Remembered: a run asks it for every child and volunteer, and they share villages.
    """
    return tuple(code[:n] for n in Region.CODE_LENGTHS.values() if n <= len(code))


def helper_key(volunteer_id: int) -> str:
    return f"v{volunteer_id}"


def team_key(team_id: int) -> str:
    return f"t{team_id}"


def split_key(key: str) -> tuple[str, int]:
    """Return ("volunteer" | "team", id) for an engine helper or team id."""
    return ("volunteer" if key[0] == "v" else "team"), int(key[1:])


# --- region-scoped lists --------------------------------------------------------


def pairing_list(*, user: User) -> QuerySet[Pairing]:
    """Return the pairings a user may see: her region's, or a volunteer's own current ones."""
    qs = Pairing.objects.select_related("child__village", "volunteer", "team", "programme")
    if user.is_authenticated and user.role == User.Role.VOLUNTEER and not user.is_superuser:
        # Her current pairings only, while she serves: the same rule as the children she may see.
        mine = Q(volunteer__user=user, volunteer__status="active") | Q(
            team__members__user=user, team__members__status="active"
        )
        return qs.filter(mine, status__in=CURRENT).distinct()
    return qs.filter(user_region_scope(user).q("child__village_id"))


def proposal_list(*, user: User) -> QuerySet[Proposal]:
    """Return the proposals of children in the user's region."""
    return Proposal.objects.select_related("child__village", "volunteer__village", "team", "run").filter(
        user_region_scope(user).q("child__village_id")
    )


def pairing_run_list(*, user: User) -> QuerySet[PairingRun]:
    """Return the runs over regions inside the user's region."""
    return PairingRun.objects.select_related("programme", "region", "started_by").filter(
        user_region_scope(user).q("region_id")
    )


def children_awaiting_pairing(*, region_code: str) -> QuerySet[Child]:
    """Return active children with fewer current pairings than they want.

    ``needs_repairing`` marks those who had a pairing that ended: they are flagged for
    re-pairing and keep their history.
    """
    return (
        Child.objects.filter(status=Child.Status.ACTIVE, village__pk__startswith=region_code)
        .annotate(
            current=Count("pairings", filter=Q(pairings__status__in=CURRENT)),
            ended=Count("pairings", filter=Q(pairings__status=Pairing.Status.ENDED)),
        )
        .filter(current__lt=F("volunteers_wanted"))
        .annotate(needs_repairing=ExpressionWrapper(Q(ended__gt=0), output_field=BooleanField()))
    )


# --- engine input -------------------------------------------------------------------


@dataclass(frozen=True)
class RunScope:
    """Where a run looks: children under ``child_prefix``, helpers under ``helper_prefix``."""

    child_prefix: str
    helper_prefix: str


def run_scope(*, programme: Programme, region_code: str) -> RunScope:
    """Return where a run over a region finds children and helpers.

    Helpers may live outside the region, as far as the programme's maximum distance
    allows (a town's children may be cared for by a volunteer elsewhere in the county).
    """
    reach = Region.CODE_LENGTHS[programme.pairing_max_distance]
    helper_prefix = region_code[:reach] if len(region_code) > reach else region_code
    return RunScope(child_prefix=region_code, helper_prefix=helper_prefix)


def policy_for(programme: Programme) -> engine.Policy:
    """Return the engine policy a programme's rules describe."""
    return engine.Policy(
        mode=engine.Mode(programme.pairing_mode),
        max_distance=engine.Distance(programme.pairing_max_distance),
        match_table=SKILL_SERVES_NEEDS,
        skill_bonus=programme.pairing_skill_bonus,
        keep_bonus=programme.pairing_keep_bonus,
        load_spread=programme.pairing_load_spread,
    )


def pairing_instance(*, programme: Programme, region_code: str, today: datetime.date | None = None) -> engine.Instance:
    """Read the children, volunteers and teams of a region into an engine instance.

    A fixed number of queries whatever the size: children, their open concerns, current and
    ended pairings, teams, volunteers with their load. Each child carries her priority
    (``pairing.priority``); ended pairings follow their end reason (``Pairing.NOT_AGAIN_REASONS``
    bar the pair, ``Pairing.KEEP_REASONS`` earn the keep bonus). In team mode the teams whose
    area covers any of the region come with all their members, wherever they live, and with
    their capacity as a unit.
    """
    today = today or timezone.localdate()
    as_set = _JsonSets()
    scope = run_scope(programme=programme, region_code=region_code)
    children = list(
        Child.objects.filter(status=Child.Status.ACTIVE, village__pk__startswith=scope.child_prefix)
        .annotate(registered_on=TruncDate("created_at"))  # in Asia/Shanghai, by the database
        .order_by("id")
        .annotate(needs_text=Cast("needs", TextField()))
        .values_list(
            "id",
            "village_id",
            "needs_text",
            "volunteers_wanted",
            "category",
            "risk_level",
            "difficulty_subtype",
            "registered_on",
        )
    )
    open_concerns = dict(
        Concern.objects.filter(child__status=Child.Status.ACTIVE, child__village__pk__startswith=scope.child_prefix)
        .exclude(status=Concern.Status.CLOSED)
        .values("child_id")
        .annotate(n=Count("id"))
        .values_list("child_id", "n")
    )

    team_rows: list[tuple[int, str]] = []
    if programme.pairing_mode == Programme.PairingMode.TEAMS:
        team_rows = list(
            Team.objects.filter(programme=programme)
            .filter(
                Q(region__pk__startswith=scope.helper_prefix)
                | Q(region_id__in=Region(code=scope.child_prefix).ancestor_codes())
            )
            .order_by("id")
            .values_list("id", "region_id")
        )
    team_ids = [tid for tid, _region in team_rows]

    existing: dict[int, set[str]] = defaultdict(set)
    never: dict[int, set[str]] = defaultdict(set)
    previous: dict[int, set[str]] = defaultdict(set)
    last_ended: dict[int, datetime.date] = {}
    volunteer_load: dict[int, int] = defaultdict(int)
    team_load: dict[int, int] = defaultdict(int)
    current_elsewhere = Q(volunteer__village__pk__startswith=scope.helper_prefix) | Q(
        team__region__pk__startswith=scope.helper_prefix
    )
    if team_ids:  # a wide team's load, and its members' (they may live outside the region)
        current_elsewhere |= Q(team_id__in=team_ids) | Q(volunteer__team_id__in=team_ids)
    # her pairings by a join on the same filter as the children's, not an IN list of 10,000 ids
    of_children = Q(child__status=Child.Status.ACTIVE, child__village__pk__startswith=scope.child_prefix)
    pairing_rows = Pairing.objects.filter(of_children | Q(current_elsewhere, status__in=CURRENT)).values_list(
        "child_id", "volunteer_id", "team_id", "status", "do_not_pair_again", "end_reason", "ended_on"
    )
    for child_id, volunteer_id, team_id, status, do_not, end_reason, ended_on in pairing_rows:
        key = helper_key(volunteer_id) if volunteer_id else team_key(team_id)
        if status in CURRENT:
            existing[child_id].add(key)
            if volunteer_id:
                volunteer_load[volunteer_id] += 1
            else:
                team_load[team_id] += 1
            continue
        if ended_on and (child_id not in last_ended or ended_on > last_ended[child_id]):
            last_ended[child_id] = ended_on
        if do_not or end_reason in Pairing.NOT_AGAIN_REASONS:
            never[child_id].add(key)
        elif end_reason in Pairing.KEEP_REASONS:
            previous[child_id].add(key)

    beneficiaries = []
    words = priority_words()
    none: frozenset[str] = frozenset()
    for cid, village, needs, wanted, category, risk, subtype, registered in children:
        ended = last_ended.get(cid)
        points, notes = child_priority(
            programme=programme,
            facts=ChildFacts(
                category,
                risk,
                subtype,
                open_concerns.get(cid, 0),
                ended if ended and ended > registered else registered,
            ),
            today=today,
            words=words,
        )
        current = frozenset(existing[cid]) if cid in existing else none
        beneficiaries.append(
            engine.Beneficiary(
                id=cid,
                location=location_of(village),
                needs=as_set(needs),
                wanted=max(wanted, len(current)),
                existing_helpers=current,
                never=frozenset(never[cid]) if cid in never else none,
                previous_helpers=frozenset(previous[cid]) if cid in previous else none,
                priority=points,
                priority_notes=notes,
            )
        )

    in_reach = Q(village__pk__startswith=scope.helper_prefix)
    if team_ids:
        in_reach |= Q(team_id__in=team_ids)
    volunteers = list(
        Volunteer.objects.filter(in_reach, programme=programme, status=Volunteer.Status.ACTIVE)
        .order_by("id")
        .annotate(skills_text=Cast("skills", TextField()))
        .values_list("id", "village_id", "skills_text", "capacity", "team_id")
    )
    helpers = [
        engine.Helper(
            id=helper_key(vid),
            location=location_of(village),
            skills=as_set(skills),
            capacity=max(0, capacity - volunteer_load[vid]),
            team_id=team_key(team_id) if team_id else None,
            current_load=volunteer_load[vid],
        )
        for vid, village, skills, capacity, team_id in volunteers
    ]

    teams = []
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for vid, _village, _skills, capacity, team_id in volunteers:
        if team_id:
            members[team_id].append((vid, capacity))
    for tid, region_id in team_rows:
        if not members[tid]:
            continue
        teams.append(
            engine.Team(
                id=team_key(tid),
                members=frozenset(helper_key(vid) for vid, _cap in members[tid]),
                location=location_of(region_id),
                capacity=team_remaining_capacity(
                    capacities=[cap for _vid, cap in members[tid]],
                    team_load=team_load[tid],
                    member_loads=[volunteer_load[vid] for vid, _cap in members[tid]],
                ),
                current_load=team_load[tid],
            )
        )
    return engine.Instance(
        beneficiaries=tuple(beneficiaries), helpers=tuple(helpers), teams=tuple(teams), policy=policy_for(programme)
    )


class _JsonSets(dict):
    """Decode JSON lists (a child's needs, a volunteer's skills) once per distinct value, as frozensets."""

    def __missing__(self, text: str | None) -> frozenset:
        value = self[text] = frozenset(json.loads(text) or ()) if text else frozenset()
        return value

    __call__ = dict.__getitem__


def team_remaining_capacity(*, capacities: list[int], team_load: int, member_loads: list[int]) -> int:
    """Return what a team can still take as a unit: its members' capacities, less what the team and they carry."""
    return max(0, sum(capacities) - team_load - sum(member_loads))


def team_capacity_left(*, team: Team) -> int:
    """Return what one team can still take as a unit (the same rule as a run's)."""
    rows = list(team.members.filter(status=Volunteer.Status.ACTIVE).values_list("id", "capacity"))
    loads = dict(
        Pairing.objects.filter(volunteer_id__in=[vid for vid, _cap in rows], status__in=CURRENT)
        .values("volunteer_id")
        .annotate(n=Count("id"))
        .values_list("volunteer_id", "n")
    )
    return team_remaining_capacity(
        capacities=[cap for _vid, cap in rows],
        team_load=Pairing.objects.filter(team=team, status__in=CURRENT).count(),
        member_loads=list(loads.values()),
    )


def run_part_codes(*, programme: Programme, region_code: str) -> list[str]:
    """Return the independent pieces of a run: counties (or coarser, if pairing may cross counties).

    In team mode a team whose area is wider than one piece (a whole city) takes children in
    every piece it covers, so those pieces are one part, coded by the team's area: its
    capacity is then shared out by one solve, never promised twice.
    """
    return sorted(run_part_sizes(programme=programme, region_code=region_code))


def run_part_sizes(*, programme: Programme, region_code: str) -> dict[str, int]:
    """Return the pieces of ``run_part_codes`` with how many active children each holds."""
    split_length = min(Region.CODE_LENGTHS[Region.Level.COUNTY], Region.CODE_LENGTHS[programme.pairing_max_distance])
    villages = (
        Child.objects.filter(status=Child.Status.ACTIVE, village__pk__startswith=region_code)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    if len(region_code) >= split_length:
        return {region_code: sum(n for _village, n in villages)}
    pieces: dict[str, int] = defaultdict(int)
    for village, n in villages:
        pieces[village[:split_length]] += n
    wide = sorted(wide_team_areas(programme=programme, split_length=split_length), key=len)
    if any(region_code.startswith(area) for area in wide):
        return {region_code: sum(pieces.values())} if pieces else {}
    glued: list[str] = []
    for area in wide:
        if area.startswith(region_code) and not any(area.startswith(g) for g in glued):
            glued.append(area)  # shortest first: an area inside a glued one is already in it
    parts: dict[str, int] = defaultdict(int)
    for piece, n in pieces.items():
        parts[next((g for g in glued if piece.startswith(g)), piece)] += n
    return dict(parts)


def wide_team_areas(*, programme: Programme, split_length: int) -> set[str]:
    """Return the areas of a programme's teams (with members) that are wider than one run part."""
    if programme.pairing_mode != Programme.PairingMode.TEAMS:
        return set()
    areas = Team.objects.filter(programme=programme, members__isnull=False).values_list("region_id", flat=True)
    return {area for area in areas.distinct() if len(area) < split_length}


def run_unmatched_list(*, user: User) -> QuerySet[RunUnmatched]:
    """Return the children runs left without (enough) volunteers, in the user's region, with why."""
    return RunUnmatched.objects.select_related("child__village", "run").filter(
        user_region_scope(user).q("child__village_id")
    )


# --- the staff workspace: filters, the approval chain, figures and reasons in words ----------

# Figures of a run (PairingRun.stats) in words, in the order a page shows them.
RUN_FIGURES = (
    ("beneficiaries", _("参与计算的儿童")),
    ("covered", _("已有爱心妈妈的儿童")),
    ("newly_covered", _("本次新覆盖的儿童")),
    ("proposals", _("结对建议")),
    ("slots_wanted", _("需要的结对数")),
    ("slots_filled", _("已有及建议的结对数")),
)
# Why children are left out: PairingRun.stats keys ``left_out_<engine.UnmatchedCode>``.
LEFT_OUT_REASONS = {
    engine.UnmatchedCode.NO_HELPER_IN_RANGE: _("允许的距离内没有爱心妈妈"),
    engine.UnmatchedCode.ALL_FULL: _("附近的爱心妈妈都已满额"),
    engine.UnmatchedCode.NEVER_PAIR: _("附近的爱心妈妈都已结对或标记为不再结对"),
    engine.UnmatchedCode.OUTRANKED: _("附近的爱心妈妈已先结对更需要关爱的儿童"),
    engine.UnmatchedCode.SHORT: _("已有爱心妈妈，但少于所需人数"),
}


def unmatched_counts(unmatched) -> dict[str, int]:
    """Return how many children a solve left out, by reason, as ``left_out_<code>`` figures."""
    counts: dict[str, int] = {}
    for row in unmatched:
        key = f"left_out_{row.code}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def run_figures(*, run: PairingRun) -> dict:
    """Return a run's figures in words: the totals, and the children left out by reason."""
    stats = run.stats or {}
    beneficiaries = stats.get("beneficiaries", 0)
    covered = stats.get("covered", 0)
    return {
        "rows": [(label, stats.get(key, 0)) for key, label in RUN_FIGURES if key in stats],
        "coverage": round(100 * covered / beneficiaries) if beneficiaries else None,
        "left_out": beneficiaries - covered if stats else None,
        "left_out_reasons": [
            (label, stats[f"left_out_{code}"])
            for code, label in LEFT_OUT_REASONS.items()
            if stats.get(f"left_out_{code}")
        ],
        "parts_failed": stats.get("parts_failed", 0),
    }


def reason_words(reasons: list[str]) -> str:
    """Return a proposal's reasons as one line of Chinese: "同村、教师 ↔ 学业辅导需求"."""
    return "、".join(str(r).split(" / ")[0] for r in reasons or [] if r)


def proposal_filter(
    qs: QuerySet[Proposal], *, run: int | None = None, region: str | None = None, status: str | None = None
) -> QuerySet[Proposal]:
    """Narrow a proposal list by run, by village (or any region) and by status."""
    if run:
        qs = qs.filter(run_id=run)
    if region:
        qs = qs.filter(child__village__pk__startswith=region)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("approvals__approved_by").order_by("child__village_id", "child_id", "id")


def proposal_chain(*, proposal: Proposal) -> list[dict]:
    """Return the levels that must approve a proposal, lowest first: who approved, and where it waits."""
    levels = sorted(set(proposal.run.programme.approval_levels or []), reverse=True)
    approvals = {a.level: a for a in proposal.approvals.all()}
    rows, waiting_found = [], proposal.status != Proposal.Status.PROPOSED
    for level in levels:
        approval = approvals.get(level)
        waiting = approval is None and not waiting_found
        waiting_found = waiting_found or waiting
        rows.append(
            {
                "level": level,
                "label": Region.Level(level).label,
                "approval": approval,
                "waiting": waiting,
            }
        )
    return rows


def proposal_waiting_level(*, proposal: Proposal) -> int | None:
    """Return the region level a proposal waits for (None: any staff, or decided)."""
    for row in proposal_chain(proposal=proposal):
        if row["waiting"]:
            return row["level"]
    return None


def pairing_filter(
    qs: QuerySet[Pairing], *, status: str | None = None, region: str | None = None, search: str | None = None
) -> QuerySet[Pairing]:
    """Narrow a pairing list by status, by the child's village (or any region) and by a name."""
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(child__village__pk__startswith=region)
    if search:
        s = search.strip()
        qs = qs.filter(Q(volunteer__name__contains=s) | Q(child__given_name__contains=s) | Q(team__name__contains=s))
    return qs.order_by("child__village_id", "-started_on", "-id")


def children_to_pair_for(*, user: User) -> QuerySet[Child]:
    """Return the active children in the user's region with fewer current pairings than they want."""
    from backend.children.selectors import child_list_for

    return (
        child_list_for(user=user)
        .filter(status=Child.Status.ACTIVE)
        .annotate(current=Count("pairings", filter=Q(pairings__status__in=CURRENT)))
        .filter(current__lt=F("volunteers_wanted"))
        .order_by("village_id", "id")
    )
