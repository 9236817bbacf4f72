"""Pair costs and their reasons, shared by the solver, the greedy baseline and the tests."""

from __future__ import annotations

from collections.abc import Iterable

from pairing.engine.model import Distance, Location, Policy, Reason, ReasonCode

_MAX_LEVEL = int(Distance.SAME_VILLAGE)
_LEVELS = tuple(sorted(Distance))  # _LEVELS[n] is Distance(n), without the enum's lookup


def common_level(a: Location, b: Location) -> Distance:
    """Return how close two places are: the length of their common prefix, capped at village."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return _LEVELS[min(n, _MAX_LEVEL)]


def area_level(area: Location) -> Distance:
    """Return the distance level of a whole area (a team serving a town is 'same town')."""
    return _LEVELS[min(len(area), _MAX_LEVEL)]


def within(location: Location, area: Location) -> bool:
    return tuple(location[: len(area)]) == tuple(area)


def matched_skills(needs: frozenset[str], skills: Iterable[str], policy: Policy) -> tuple[tuple[str, str], ...]:
    """Return the (skill, need) pairs that serve her needs, each need counted once, sorted."""
    found: dict[str, str] = {}
    for skill in sorted(skills):
        for need in sorted(policy.match_table.get(skill, ())):
            if need in needs and need not in found:
                found[need] = skill
    return tuple(sorted((skill, need) for need, skill in found.items()))


def pair_cost(level: Distance, matches: int, keep: bool, policy: Policy) -> int:
    return policy.distance_costs[level] - policy.skill_bonus * matches - (policy.keep_bonus if keep else 0)


def pair_reasons(level: Distance, matches: tuple[tuple[str, str], ...], keep: bool, team_id=None) -> tuple[Reason, ...]:
    reasons = []
    if team_id is not None:
        reasons.append(Reason(ReasonCode.TEAM, (team_id,)))
    reasons.append(Reason(ReasonCode.DISTANCE, (level,)))
    reasons.extend(Reason(ReasonCode.SKILL, m) for m in matches)
    if keep:
        reasons.append(Reason(ReasonCode.KEEP))
    return tuple(reasons)


def load_cost(load: int, taken: int, policy: Policy) -> int:
    """Return the load-spreading cost of giving ``taken`` more to one carrying ``load``."""
    return policy.load_spread * sum(load + j for j in range(taken))


def relevant_skills(skills: frozenset[str], policy: Policy) -> frozenset[str]:
    return frozenset(s for s in skills if s in policy.match_table)


def id_key(value) -> tuple:
    """Sort key that orders ints and strings (and mixes of them) the same way every time."""
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def proposal_key(p) -> tuple:
    """Sort key of a proposal: beneficiary, then helpers before teams, then id."""
    other = p.helper_id if p.helper_id is not None else p.team_id
    return (id_key(p.beneficiary_id), p.team_id is not None, id_key(other))
