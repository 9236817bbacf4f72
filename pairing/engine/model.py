"""The engine's vocabulary: helpers, beneficiaries, teams, the policy, and the result.

Neutral words on purpose: the platform maps volunteers onto helpers, children onto
beneficiaries and 关爱小分队 onto teams, and another programme (parents and job vacancies,
donors and students) can map its own things onto the same engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType

Id = Hashable  # ints or strings; one instance should use one kind (ids are sorted)
Location = tuple[str, ...]  # region codes from coarse to fine: province, city, county, town, village


class Distance(IntEnum):
    """How far apart two places are, as the length of their common region prefix.

    A pair is at level ``d`` when their locations share the first ``d`` codes; the policy's
    ``max_distance`` is the coarsest level still allowed (``SAME_TOWN``: same town or closer).
    """

    ANYWHERE = 0
    SAME_PROVINCE = 1
    SAME_CITY = 2
    SAME_COUNTY = 3
    SAME_TOWN = 4
    SAME_VILLAGE = 5


class Mode(StrEnum):
    """Pairing modes of the programmes: 一对一、一对多、多对一、多对多 (teams)."""

    ONE_TO_ONE = "one_to_one"  # every helper takes one beneficiary, every beneficiary wants one helper
    ONE_TO_MANY = "one_to_many"  # a helper may take several beneficiaries, each wants one helper
    MANY_TO_ONE = "many_to_one"  # each helper takes one beneficiary, a beneficiary may want several
    MANY_TO_MANY = "many_to_many"  # capacities and wanted as given
    TEAMS = "teams"  # as many_to_many, and teams are paired as units; their members only through them


def _frozen(value) -> frozenset:
    return value if isinstance(value, frozenset) else frozenset(value)


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """Someone to be cared for (a child)."""

    id: Id
    location: Location
    needs: frozenset[str] = frozenset()
    wanted: int = 1  # how many helpers she should have in total, existing ones included
    existing_helpers: frozenset[Id] = frozenset()  # active pairings: they fill slots and stay
    never: frozenset[Id] = frozenset()  # helper or team ids she must never be paired with
    previous_helpers: frozenset[Id] = frozenset()  # earlier pairings worth resuming (keep bonus)
    # How much it matters that she is covered when helpers are short (a non-negative integer,
    # the programme's weights summed by the caller), and why, in words ("困境儿童优先").
    priority: int = 0
    priority_notes: tuple[str, ...] = ()

    def __post_init__(self):
        # a platform run builds 100,000 of these: convert only what is not of its type already
        if type(self.location) is not tuple:
            object.__setattr__(self, "location", tuple(self.location))
        for name in ("needs", "existing_helpers", "never", "previous_helpers"):
            value = getattr(self, name)
            if type(value) is not frozenset:
                object.__setattr__(self, name, frozenset(value))
        if type(self.priority_notes) is not tuple:
            object.__setattr__(self, "priority_notes", tuple(self.priority_notes))
        if self.wanted < 1:
            raise ValueError(f"beneficiary {self.id!r}: wanted must be at least 1")
        if not isinstance(self.priority, int) or self.priority < 0:
            raise ValueError(f"beneficiary {self.id!r}: priority must be a non-negative integer")


@dataclass(frozen=True, slots=True)
class Helper:
    """Someone who cares (a volunteer). ``capacity`` is what she can still take on."""

    id: Id
    location: Location
    skills: frozenset[str] = frozenset()
    capacity: int = 1  # remaining capacity, after her active pairings
    team_id: Id | None = None
    current_load: int = 0  # active pairings she already carries (for load spreading)

    def __post_init__(self):
        object.__setattr__(self, "location", tuple(self.location))
        object.__setattr__(self, "skills", _frozen(self.skills))
        if self.capacity < 0 or self.current_load < 0:
            raise ValueError(f"helper {self.id!r}: capacity and current_load must not be negative")


@dataclass(frozen=True, slots=True)
class Team:
    """A group of helpers paired as one unit with beneficiaries of its area."""

    id: Id
    members: frozenset[Id]
    location: Location  # the area it serves (a prefix: a town, a county, ...)
    capacity: int = 1  # remaining beneficiaries it can take as a unit
    current_load: int = 0

    def __post_init__(self):
        object.__setattr__(self, "location", tuple(self.location))
        object.__setattr__(self, "members", _frozen(self.members))
        if self.capacity < 0 or self.current_load < 0:
            raise ValueError(f"team {self.id!r}: capacity and current_load must not be negative")


DEFAULT_MATCH_TABLE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "心理咨询": frozenset({"psychological"}),
        "教师": frozenset({"study"}),
        "家庭教育": frozenset({"study", "daily_life"}),
        "法律": frozenset({"safety"}),
        "医护": frozenset({"daily_life", "health"}),
    }
)

DEFAULT_DISTANCE_COSTS: Mapping[Distance, int] = MappingProxyType(
    {
        Distance.SAME_VILLAGE: 0,
        Distance.SAME_TOWN: 10,
        Distance.SAME_COUNTY: 30,
        Distance.SAME_CITY: 60,
        Distance.SAME_PROVINCE: 100,
        Distance.ANYWHERE: 150,
    }
)


@dataclass(frozen=True, slots=True)
class Policy:
    """A programme's weights and limits. All weights are non-negative integers."""

    mode: Mode = Mode.MANY_TO_MANY
    max_distance: Distance = Distance.SAME_TOWN
    distance_costs: Mapping[Distance, int] = field(default_factory=lambda: dict(DEFAULT_DISTANCE_COSTS))
    match_table: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_MATCH_TABLE))
    # match_table: skill -> the needs it serves
    skill_bonus: int = 15  # cost taken off per need of hers that the helper's skills serve
    keep_bonus: int = 25  # cost taken off for resuming a previous pairing
    load_spread: int = 5  # extra cost per beneficiary the helper already carries

    def __post_init__(self):
        object.__setattr__(self, "mode", Mode(self.mode))
        object.__setattr__(self, "max_distance", Distance(self.max_distance))
        costs = {Distance(k): int(v) for k, v in self.distance_costs.items()}
        missing = [d.name for d in Distance if d not in costs]
        if missing:
            raise ValueError(f"distance_costs lacks {', '.join(missing)}")
        ordered = [costs[d] for d in sorted(Distance, reverse=True)]  # village first
        if any(c < 0 for c in ordered) or ordered != sorted(ordered):
            raise ValueError("distance_costs must be non-negative and must not fall as distance grows")
        object.__setattr__(self, "distance_costs", costs)  # a plain dict so that a Policy pickles
        table = {str(k): _frozen(v) for k, v in self.match_table.items()}
        object.__setattr__(self, "match_table", table)
        for name in ("skill_bonus", "keep_bonus", "load_spread"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True, slots=True)
class Instance:
    """Everything one solve needs. Order does not matter: the engine sorts by id."""

    beneficiaries: tuple[Beneficiary, ...]
    helpers: tuple[Helper, ...]
    teams: tuple[Team, ...] = ()
    policy: Policy = field(default_factory=Policy)

    def __post_init__(self):
        for name in ("beneficiaries", "helpers", "teams"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name, items in (("beneficiary", self.beneficiaries), ("helper", self.helpers), ("team", self.teams)):
            ids = [x.id for x in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {name} ids")


class ReasonCode(StrEnum):
    DISTANCE = "distance"  # params: (Distance,)
    SKILL = "skill"  # params: (skill, need)
    KEEP = "keep"  # params: ()  resumes a previous pairing
    TEAM = "team"  # params: (team id,)
    PRIORITY = "priority"  # params: (the caller's words for why she comes first,)


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    params: tuple = ()


class UnmatchedCode(StrEnum):
    NO_HELPER_IN_RANGE = "no_helper_in_range"
    ALL_FULL = "all_full"
    NEVER_PAIR = "never_pair"
    # all helpers in range taken, and one of them by a beneficiary of higher priority nearby
    OUTRANKED = "outranked"
    SHORT = "short"  # covered, but fewer helpers than wanted


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed pairing. Exactly one of ``helper_id`` and ``team_id`` is set."""

    beneficiary_id: Id
    helper_id: Id | None
    team_id: Id | None
    cost: int  # pair cost: distance - skill bonus - keep bonus (load spreading not included)
    score: int  # -cost: higher is better
    reasons: tuple[Reason, ...]
    reason_text: tuple[str, ...]  # the reasons in words, Chinese first


@dataclass(frozen=True, slots=True)
class Unmatched:
    beneficiary_id: Id
    code: UnmatchedCode
    missing: int  # slots still empty
    text: str  # the reason in words, followed by her own priority notes if she has any
    priority: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    beneficiaries: int = 0
    covered: int = 0  # beneficiaries with at least one helper (existing or proposed)
    priority_covered: int = 0  # sum of the priorities of the covered beneficiaries
    newly_covered: int = 0
    slots_wanted: int = 0
    slots_filled: int = 0  # existing + proposed
    proposals: int = 0
    match_cost: int = 0  # sum of proposal costs
    load_cost: int = 0  # load spreading: sum over helpers and teams of load_spread * (load + j)
    total_cost: int = 0  # match_cost + load_cost: what the engine minimises (after coverage)

    def __add__(self, other: Stats) -> Stats:
        return Stats(*(getattr(self, f) + getattr(other, f) for f in self.__slots__))


@dataclass(frozen=True, slots=True)
class Result:
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]
    stats: Stats
