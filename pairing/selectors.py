"""Reads for pairing: region-scoped lists, and rows turned into the engine's input."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet

from backend.accounts.models import User
from backend.accounts.selectors import user_region_scope
from backend.children.models import Child
from backend.programmes.models import Programme
from backend.regions.models import Region
from backend.volunteers.models import Team, Volunteer
from pairing import engine
from pairing.models import Pairing, PairingRun, Proposal

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


def location_of(code: str) -> tuple[str, ...]:
    """Return a region code as the engine's location: its ancestors' codes, coarse to fine."""
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


def pairing_instance(*, programme: Programme, region_code: str) -> engine.Instance:
    """Read the children, volunteers and teams of a region into an engine instance.

    A fixed number of queries whatever the size: children, current and ended pairings,
    volunteers with their load, teams with their members.
    """
    scope = run_scope(programme=programme, region_code=region_code)
    children = list(
        Child.objects.filter(status=Child.Status.ACTIVE, village__pk__startswith=scope.child_prefix)
        .order_by("id")
        .values_list("id", "village_id", "needs", "volunteers_wanted")
    )
    child_ids = [c[0] for c in children]

    existing: dict[int, set[str]] = defaultdict(set)
    never: dict[int, set[str]] = defaultdict(set)
    previous: dict[int, set[str]] = defaultdict(set)
    volunteer_load: dict[int, int] = defaultdict(int)
    team_load: dict[int, int] = defaultdict(int)
    pairing_rows = Pairing.objects.filter(
        Q(child_id__in=child_ids)
        | Q(status__in=CURRENT, volunteer__village__pk__startswith=scope.helper_prefix)
        | Q(status__in=CURRENT, team__region__pk__startswith=scope.helper_prefix)
    ).values_list("child_id", "volunteer_id", "team_id", "status", "do_not_pair_again")
    for child_id, volunteer_id, team_id, status, do_not in pairing_rows:
        key = helper_key(volunteer_id) if volunteer_id else team_key(team_id)
        if status in CURRENT:
            existing[child_id].add(key)
            if volunteer_id:
                volunteer_load[volunteer_id] += 1
            else:
                team_load[team_id] += 1
        elif do_not:
            never[child_id].add(key)
        else:
            previous[child_id].add(key)

    beneficiaries = [
        engine.Beneficiary(
            id=cid,
            location=location_of(village),
            needs=frozenset(needs or ()),
            wanted=max(wanted, len(existing[cid])),
            existing_helpers=frozenset(existing[cid]),
            never=frozenset(never[cid]),
            previous_helpers=frozenset(previous[cid]),
        )
        for cid, village, needs, wanted in children
    ]

    volunteers = list(
        Volunteer.objects.filter(
            programme=programme, status=Volunteer.Status.ACTIVE, village__pk__startswith=scope.helper_prefix
        )
        .order_by("id")
        .values_list("id", "village_id", "skills", "capacity", "team_id")
    )
    helpers = [
        engine.Helper(
            id=helper_key(vid),
            location=location_of(village),
            skills=frozenset(skills or ()),
            capacity=max(0, capacity - volunteer_load[vid]),
            team_id=team_key(team_id) if team_id else None,
            current_load=volunteer_load[vid],
        )
        for vid, village, skills, capacity, team_id in volunteers
    ]

    teams = []
    if programme.pairing_mode == Programme.PairingMode.TEAMS:
        members: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for vid, _village, _skills, capacity, team_id in volunteers:
            if team_id:
                members[team_id].append((vid, capacity))
        for tid, region_id in (
            Team.objects.filter(programme=programme, region__pk__startswith=scope.helper_prefix)
            .order_by("id")
            .values_list("id", "region_id")
        ):
            if not members[tid]:
                continue
            # A team's capacity as a unit: its members' capacities, less what they already carry.
            total = sum(cap for _vid, cap in members[tid])
            used = team_load[tid] + sum(volunteer_load[vid] for vid, _cap in members[tid])
            teams.append(
                engine.Team(
                    id=team_key(tid),
                    members=frozenset(helper_key(vid) for vid, _cap in members[tid]),
                    location=location_of(region_id),
                    capacity=max(0, total - used),
                    current_load=team_load[tid],
                )
            )
    return engine.Instance(
        beneficiaries=tuple(beneficiaries), helpers=tuple(helpers), teams=tuple(teams), policy=policy_for(programme)
    )


def run_part_codes(*, programme: Programme, region_code: str) -> list[str]:
    """Return the independent pieces of a run: counties (or coarser, if pairing may cross counties)."""
    split_length = min(Region.CODE_LENGTHS[Region.Level.COUNTY], Region.CODE_LENGTHS[programme.pairing_max_distance])
    if len(region_code) >= split_length:
        return [region_code]
    codes = (
        Child.objects.filter(status=Child.Status.ACTIVE, village__pk__startswith=region_code)
        .values_list("village_id", flat=True)
        .distinct()
    )
    return sorted({code[:split_length] for code in codes})
