"""Turn an instance into what the solvers work on: mode applied, ids sorted, helpers grouped.

Grouping: helpers who are interchangeable for every beneficiary (same village, same
relevant skills, same remaining capacity, same current load, named in nobody's never /
existing / previous list) become one group node. The solver sends flow to the group and
hands it out to the members afterwards (see ``solver._share_out``), which loses nothing:
identical helpers have identical arc costs and identical load-spreading costs.

Team membership has one definition, ``team_members``: in team mode a helper belongs to a
team when the team lists her in ``Team.members`` *or* her ``team_id`` names it. Everything
that asks "is she in the team" (who is used only through a team, a team's skills, whether a
never-pair or existing helper bars the team, the unmatched reasons, the split into parts)
asks that function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pairing.engine.costs import area_level, common_level, id_key, matched_skills, relevant_skills, within
from pairing.engine.model import Beneficiary, Distance, Id, Instance, Location, Mode, Policy

_CLAMP_WANTED = {Mode.ONE_TO_ONE, Mode.ONE_TO_MANY}
_CLAMP_CAPACITY = {Mode.ONE_TO_ONE, Mode.MANY_TO_ONE}


@dataclass(slots=True)
class Ben:
    b: Beneficiary
    wanted: int  # after the mode
    existing: int  # slots already filled by active pairings
    remaining: int  # slots to fill now
    forbidden: frozenset  # never + existing
    previous: frozenset
    needs: frozenset  # the needs some skill can serve (hub key)
    priority: int = 0


@dataclass(slots=True)
class Group:
    index: int
    members: tuple  # helper ids, sorted; a team group has the team id alone
    location: Location  # a helper's village, or a team's area
    skills: frozenset[str]
    capacity: int  # per member
    load: int
    team_id: Id | None = None
    team_members: frozenset = frozenset()
    exception: bool = False  # named in some beneficiary's lists: never merged, never reached via a hub

    @property
    def n(self) -> int:
        return len(self.members)

    def eligible_level(self, ben: Ben, max_distance: Distance) -> Distance | None:
        """Return the pair's distance level, or None when a hard rule forbids it."""
        if self.team_id is not None:
            if not within(ben.b.location, self.location):
                return None
            if self.team_id in ben.forbidden or self.team_members & ben.forbidden:
                return None
            return area_level(self.location)
        level = common_level(ben.b.location, self.location)
        if level < max_distance:
            return None
        if self.exception and self.members[0] in ben.forbidden:
            return None
        return level


@dataclass(slots=True)
class Prepared:
    policy: Policy
    bens: list[Ben]  # sorted by id
    groups: list[Group]  # sorted: helper groups by first member id, then teams by id
    # every helper or team that counts as "in range" for the unmatched reasons, capacity or not
    reach_count: dict[Location, int]  # prefix at max_distance -> helpers there
    reach_of: dict  # helper id -> that prefix
    reach_teams: list  # [(team id, area, members)]
    match_cache: dict = field(default_factory=dict)

    def matched(self, needs: frozenset, skills: frozenset) -> tuple[tuple[str, str], ...]:
        """Return matched_skills(needs, skills), remembered: few distinct pairs recur millions of times."""
        key = (needs, skills)
        found = self.match_cache.get(key)
        if found is None:
            found = self.match_cache[key] = matched_skills(needs, skills, self.policy)
        return found


def team_members(instance: Instance) -> dict[Id, frozenset]:
    """Return each team's members: listed in ``Team.members`` or naming it by ``team_id``.

    Only in team mode; outside it teams are ignored and every helper pairs on her own.
    """
    if instance.policy.mode is not Mode.TEAMS:
        return {}
    by_team: dict[Id, set] = {t.id: set(t.members) for t in instance.teams}
    for h in instance.helpers:
        if h.team_id is not None and h.team_id in by_team:
            by_team[h.team_id].add(h.id)
    return {tid: frozenset(ms) for tid, ms in by_team.items()}


def prepare(instance: Instance) -> Prepared:
    policy = instance.policy
    mode = policy.mode
    served = frozenset(n for needs in policy.match_table.values() for n in needs)
    members_of = team_members(instance)
    member_ids = set().union(*members_of.values()) if members_of else set()

    bens = []
    for b in sorted(instance.beneficiaries, key=lambda x: id_key(x.id)):
        wanted = 1 if mode in _CLAMP_WANTED else b.wanted
        existing = len(b.existing_helpers)
        bens.append(
            Ben(
                b=b,
                wanted=wanted,
                existing=existing,
                remaining=max(0, wanted - existing),
                forbidden=b.never | b.existing_helpers,
                previous=b.previous_helpers,
                needs=b.needs & served,
                priority=b.priority,
            )
        )
    named = set()
    for ben in bens:
        named |= ben.forbidden | ben.previous

    level = int(policy.max_distance)
    reach_count: dict[Location, int] = defaultdict(int)
    reach_of: dict = {}
    buckets: dict[tuple, list] = defaultdict(list)
    singles = []
    for h in instance.helpers:
        if h.id in member_ids:
            continue  # in team mode a team member is used only through her team
        if len(h.location) >= level:
            reach_count[h.location[:level]] += 1
            reach_of[h.id] = h.location[:level]
        capacity = min(h.capacity, 1) if mode in _CLAMP_CAPACITY else h.capacity
        if capacity <= 0:
            continue
        skills = relevant_skills(h.skills, policy)
        if h.id in named:
            singles.append((h.id, h.location, skills, capacity, h.current_load))
        else:
            buckets[(h.location, skills, capacity, h.current_load)].append(h.id)

    groups: list[Group] = []
    for (location, skills, capacity, load), ids in buckets.items():
        groups.append(Group(0, tuple(sorted(ids, key=id_key)), location, skills, capacity, load))
    for hid, location, skills, capacity, load in singles:
        groups.append(Group(0, (hid,), location, skills, capacity, load, exception=True))
    groups.sort(key=lambda g: id_key(g.members[0]))

    reach_teams = []
    if mode is Mode.TEAMS:
        skills_by_helper = {h.id: h.skills for h in instance.helpers}
        for t in sorted(instance.teams, key=lambda x: id_key(x.id)):
            members = members_of[t.id]
            skills = frozenset().union(*(skills_by_helper.get(m, frozenset()) for m in members))
            reach_teams.append((t.id, t.location, members))
            if t.capacity <= 0:
                continue
            groups.append(
                Group(
                    0,
                    (t.id,),
                    t.location,
                    relevant_skills(skills, policy),
                    t.capacity,
                    t.current_load,
                    team_id=t.id,
                    team_members=members,
                    exception=True,
                )
            )
    for i, g in enumerate(groups):
        g.index = i
    return Prepared(policy, bens, groups, dict(reach_count), reach_of, reach_teams)
