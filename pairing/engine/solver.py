"""The exact solver: one minimum-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network (docs/pairing-engine.md has the full argument):

    source ─(1, -M1)──────────┐                   ┌─(n, load·(l+0))─┐
           ─(w-1, -M2)────── beneficiary ─(cost)── group ─(n, load·(l+1))─ sink
    source ─(S, 0)────────────────────────────────────────────────────── sink   (bypass)

A beneficiary with one slot to fill and nobody on her lists reaches the groups of her
area through *hub* nodes, one per (region, needs): beneficiary → hub(region at level L)
costs ``distance_costs[L]``, hub → group costs ``-skill_bonus · matches``. That keeps the
arc count near-linear (a county of 10,000 beneficiaries has ~3 hub arcs each instead of
thousands of group arcs) and loses nothing: the cheapest route to a group goes through
the hub of the smallest common region, whose cost is exactly the pair's cost. A
beneficiary with several slots uses "safe" hubs, which lead only to groups where she cannot
meet one helper twice, and direct arcs to the other groups; one with someone on her lists
gets direct arcs only.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from pairing.engine.arcs import direct_arcs, hub_arcs
from pairing.engine.costs import (
    area_level,
    common_level,
    load_cost,
    pair_cost,
    pair_reasons,
    proposal_key,
    within,
)
from pairing.engine.labels import DEFAULT_LABELS, Labels
from pairing.engine.model import (
    Distance,
    Instance,
    Proposal,
    Reason,
    ReasonCode,
    Result,
    Stats,
    Unmatched,
    UnmatchedCode,
)
from pairing.engine.prepare import Ben, Group, Prepared, prepare

_INT64_SAFE = 2**62


class EngineError(Exception):
    """The instance cannot be solved as given (e.g. costs too large for 64-bit arithmetic)."""


def solve(instance: Instance, labels: Labels = DEFAULT_LABELS) -> Result:
    """Return the lexicographically optimal pairing proposals for one instance."""
    return solve_prepared(prepare(instance), labels)


class _Arcs:
    __slots__ = ("tails", "heads", "caps", "costs")

    def __init__(self):
        self.tails, self.heads, self.caps, self.costs = [], [], [], []

    def add(self, tail: int, head: int, cap: int, cost: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(cap)
        self.costs.append(cost)
        return len(self.tails) - 1


def solve_prepared(prep: Prepared, labels: Labels = DEFAULT_LABELS) -> Result:
    policy = prep.policy
    max_level = int(policy.max_distance)
    bens = [ben for ben in prep.bens if ben.remaining > 0]
    groups = prep.groups
    helper_groups = [g for g in groups if g.team_id is None]
    team_groups = [g for g in groups if g.team_id is not None]
    exception_helpers = {g.members[0] for g in helper_groups if g.exception}

    # region prefix -> helper groups inside it, for every level a hub or a direct scan may use
    in_region: dict[tuple, list[Group]] = defaultdict(list)
    for g in helper_groups:
        for level in range(max_level, min(len(g.location), int(Distance.SAME_VILLAGE)) + 1):
            in_region[g.location[:level]].append(g)
    teams_in_area: dict[tuple, list[Group]] = defaultdict(list)
    for g in team_groups:
        teams_in_area[g.location].append(g)

    # Who goes through hubs. A beneficiary with someone of the instance on her lists is wired
    # directly. One with several slots (r) goes through "safe" hubs, which lead only to groups
    # where she cannot meet a helper twice whatever the flow does (every member takes one, or
    # the group has at least r members), and directly to the other ("unsafe") groups.
    listed = set()
    for i, ben in enumerate(bens):
        lists = ben.forbidden | ben.previous
        if lists and not lists.isdisjoint(exception_helpers):
            listed.add(i)
    most = max((ben.remaining for i, ben in enumerate(bens) if i not in listed), default=1)
    safe = {g.index for g in helper_groups if g.capacity == 1 or g.n >= most}
    in_region_safe: dict[tuple, list[Group]] = {
        region: [g for g in gs if g.index in safe] for region, gs in in_region.items()
    }
    unsafe_groups = [g for g in helper_groups if g.index not in safe]

    source, sink = 0, 1
    ben_node = {i: 2 + i for i in range(len(bens))}
    group_node = {g.index: 2 + len(bens) + k for k, g in enumerate(groups)}
    next_node = 2 + len(bens) + len(groups)
    hubs: dict[tuple, int] = {}

    arcs = _Arcs()
    source_first, source_more = {}, {}  # ben position -> arc
    direct = []  # (arc, ben position, group)
    to_hub = []  # (arc, ben position, hub key)
    direct_bens = []  # positions of beneficiaries wired straight to every group in range
    partly_direct = []  # positions of several-slot beneficiaries wired straight to the unsafe groups
    supply = further = 0
    dist = [policy.distance_costs[d] for d in sorted(Distance)]
    village = int(Distance.SAME_VILLAGE)
    add = arcs.add
    for i, ben in enumerate(bens):
        node = ben_node[i]
        remaining = ben.remaining
        if ben.existing == 0:
            source_first[i] = add(source, node, 1, 0)
            if remaining > 1:
                source_more[i] = add(source, node, remaining - 1, 0)
                further += remaining - 1
        else:
            source_more[i] = add(source, node, remaining, 0)
            further += remaining
        supply += remaining

        loc = ben.b.location
        if teams_in_area:
            for size in range(len(loc), -1, -1):
                for g in teams_in_area.get(loc[:size], ()):
                    lvl = g.eligible_level(ben, policy.max_distance)
                    if lvl is not None:
                        cost = _group_cost(prep, ben, g, lvl)
                        direct.append((add(node, group_node[g.index], 1, cost), i, g))

        if len(loc) < max_level:
            continue  # too vague a location to be within the allowed distance of anyone
        if i in listed:
            direct_bens.append(i)
            continue
        several = remaining > 1
        if several:
            partly_direct.append(i)
        reach = in_region_safe if several else in_region
        for level in range(min(len(loc), village), max_level - 1, -1):
            region = loc[:level]
            if not reach.get(region):
                continue
            key = (region, ben.needs, several)
            hub = hubs.get(key)
            if hub is None:
                hub = hubs[key] = next_node
                next_node += 1
            to_hub.append((add(node, hub, remaining, dist[level]), i, key))

    first_direct = len(arcs.tails)
    d_tails, d_heads, d_caps, d_costs, d_ben, d_group = direct_arcs(
        prep, [bens[i] for i in direct_bens], [ben_node[i] for i in direct_bens], helper_groups, group_node
    )
    d_ben = np.array(direct_bens, dtype=np.int64)[d_ben] if len(d_ben) else d_ben
    u_tails, u_heads, u_caps, u_costs, u_ben, u_group = direct_arcs(
        prep, [bens[i] for i in partly_direct], [ben_node[i] for i in partly_direct], unsafe_groups, group_node
    )
    u_ben = np.array(partly_direct, dtype=np.int64)[u_ben] if len(u_ben) else u_ben
    hub_keys = sorted(hubs, key=lambda k: (len(k[0]), k[0], sorted(k[1]), k[2]))
    hub_targets = {key: (in_region_safe if key[2] else in_region)[key[0]] for key in hub_keys}
    h_tails, h_heads, h_caps, h_costs, h_key, h_group = hub_arcs(prep, hub_keys, hubs, hub_targets, group_node)
    d_tails, d_heads = np.concatenate([d_tails, u_tails, h_tails]), np.concatenate([d_heads, u_heads, h_heads])
    d_caps, d_costs = np.concatenate([d_caps, u_caps, h_caps]), np.concatenate([d_costs, u_costs, h_costs])
    d_ben, d_group = np.concatenate([d_ben, u_ben]), np.concatenate([d_group, u_group])
    n_dir = len(d_ben)

    sink_costs = []
    for g in groups:
        for j in range(g.capacity):
            c = policy.load_spread * (g.load + j)
            sink_costs.append(c)
            arcs.add(group_node[g.index], sink, g.n, c)
    arcs.add(source, sink, supply, 0)

    # Lexicographic weights (proof in docs/pairing-engine.md): a simple cycle of the residual
    # network has at most `nodes` arcs, so its non-source arcs change the cost by at most
    # nodes * widest; M2, K and M1 outweigh that, so no cheaper cycle can trade a slot or a
    # unit of priority for cost, and no cycle that covers one more beneficiary costs more.
    # A beneficiary's priority p rides on her first-slot arc: -(M1 + K * p).
    nodes = next_node
    widest = max([0] + [abs(c) for c in arcs.costs] + ([int(np.abs(d_costs).max())] if len(d_costs) else []))
    m2 = kp = nodes * widest + 1
    m1 = m2 + nodes * widest + 1
    top = m1 + kp * max((bens[i].priority for i in source_first), default=0)
    if top * (nodes + 1) >= _INT64_SAFE or top * (supply + 1) >= _INT64_SAFE:
        raise EngineError(
            f"instance too large for one exact solve ({supply} slots): split it, e.g. with pairing.engine.split"
        )
    costs = np.array(arcs.costs, dtype=np.int64)
    for i, a in source_first.items():
        costs[a] = -(m1 + kp * bens[i].priority)
    for a in source_more.values():
        costs[a] = -m2
    tails = np.concatenate(
        [
            np.array(arcs.tails[:first_direct], dtype=np.int32),
            d_tails,
            np.array(arcs.tails[first_direct:], dtype=np.int32),
        ]
    )
    heads = np.concatenate(
        [
            np.array(arcs.heads[:first_direct], dtype=np.int32),
            d_heads,
            np.array(arcs.heads[first_direct:], dtype=np.int32),
        ]
    )
    caps = np.concatenate(
        [np.array(arcs.caps[:first_direct], dtype=np.int64), d_caps, np.array(arcs.caps[first_direct:], dtype=np.int64)]
    )
    costs = np.concatenate([costs[:first_direct], d_costs, costs[first_direct:]])
    n_direct = len(d_tails)

    mcf = SimpleMinCostFlow()
    if len(tails):
        mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_node_supply(source, supply)
    mcf.set_node_supply(sink, -supply)
    if supply:
        mcf.set_node_supply(next_node - 1, 0)  # make sure every node exists
        status = mcf.solve()
        if status != mcf.OPTIMAL:
            raise EngineError(f"min-cost flow did not solve: {status}")
        all_flow = mcf.flows(np.arange(len(tails), dtype=np.int32))
    else:
        all_flow = np.zeros(len(tails), dtype=np.int64)
    # arcs added through _Arcs keep their numbers below first_direct; shift the later ones back
    flow = np.concatenate([all_flow[:first_direct], all_flow[first_direct + n_direct :]])
    d_flow = all_flow[first_direct : first_direct + n_dir]
    h_flow = all_flow[first_direct + n_dir : first_direct + n_direct]

    # Collect per group the (beneficiary position, units) rows, then hand units to members.
    rows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, i, g in direct:
        if flow[a]:
            rows[g.index].append((i, int(flow[a])))
    for k in np.flatnonzero(d_flow):
        rows[int(d_group[k])].append((int(d_ben[k]), int(d_flow[k])))
    hub_in: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for a, i, key in to_hub:
        if flow[a]:
            hub_in[key].append((i, int(flow[a])))
    hub_to: dict[tuple, list[tuple[Group, int]]] = defaultdict(list)
    for k in np.flatnonzero(h_flow):  # in arc order: hubs sorted, groups in id order
        hub_to[hub_keys[int(h_key[k])]].append((groups[int(h_group[k])], int(h_flow[k])))
    # Any hand-out of a hub's incoming units to its outgoing ones is a valid pairing: a plain
    # hub's beneficiaries send one unit each, and a safe hub's groups cannot take two units of
    # one beneficiary onto one helper (see docs/pairing-engine.md).
    via: dict[tuple[int, int], int] = defaultdict(int)
    for key, incoming in hub_in.items():
        outgoing = [[g, units] for g, units in hub_to[key]]
        k = 0
        for i, units in incoming:  # ben positions in id order
            while units:
                while outgoing[k][1] == 0:
                    k += 1
                take = min(units, outgoing[k][1])
                via[(i, outgoing[k][0].index)] += take
                outgoing[k][1] -= take
                units -= take
    for (i, gidx), units in via.items():
        rows[gidx].append((i, units))

    proposals, taken, filled = _share_out(prep, bens, rows, labels)
    proposals.sort(key=proposal_key)

    match = sum(p.cost for p in proposals)
    load = sum(load_cost(g.load, c, policy) for g in groups if g.index in taken for c in taken[g.index])
    covered_new = sum(1 for i, ben in enumerate(bens) if ben.existing == 0 and filled[i] > 0)
    priority_new = sum(ben.priority for i, ben in enumerate(bens) if ben.existing == 0 and filled[i] > 0)
    more = sum(filled) - covered_new
    if supply and mcf.optimal_cost() != -m1 * covered_new - kp * priority_new - m2 * more + match + load:
        raise EngineError("internal check failed: the decomposed pairing does not reproduce the flow's cost")

    return Result(tuple(proposals), _unmatched(prep, bens, filled, labels), _stats(prep, proposals, match, load))


def _share_out(prep: Prepared, bens: list[Ben], rows: dict, labels: Labels):
    """Hand each group's units to its members: McNaughton's wrap-around rule.

    Rows (beneficiary, units <= group size) are laid one after another around the members in
    id order, so one beneficiary's units land on distinct members and every member gets
    floor(X/n) or ceil(X/n) units: the balanced, cheapest load of identical helpers.
    """
    proposals = []
    taken: dict[int, list[int]] = {}
    filled = [0] * len(bens)
    words = _Words(prep, labels)
    for g in prep.groups:
        if g.index not in rows:
            continue
        counts = [0] * g.n
        p = 0
        for i, units in sorted(rows[g.index], key=lambda r: r[0]):
            for _ in range(units):
                counts[p % g.n] += 1
                proposals.append(words.proposal(bens[i], g, g.members[p % g.n]))
                filled[i] += 1
                p += 1
        taken[g.index] = counts
    return proposals, taken, filled


def _group_cost(prep: Prepared, ben: Ben, g: Group, level: Distance) -> int:
    keep = g.exception and g.members[0] in ben.previous
    return pair_cost(level, len(prep.matched(ben.needs, g.skills)), keep, prep.policy)


class _Words:
    """Build proposals, their costs and reasons in words, remembering what repeats.

    Thousands of proposals share a distance, the same needs and the same skills, and
    priority notes are a few hundred phrases: each is worded once.
    """

    def __init__(self, prep: Prepared, labels: Labels):
        self.prep, self.labels = prep, labels
        self.pairs: dict[tuple, tuple] = {}
        self.notes: dict[str, tuple] = {}

    def proposal(self, ben: Ben, g: Group, member) -> Proposal:
        if g.team_id is not None:
            level = area_level(g.location)
            helper_id, team_id = None, g.team_id
        else:
            level = common_level(ben.b.location, g.location)
            helper_id, team_id = member, None
        keep = member in ben.previous
        key = (level, ben.needs, g.skills, keep, team_id)
        pair = self.pairs.get(key)
        if pair is None:
            matches = self.prep.matched(ben.needs, g.skills)
            reasons = pair_reasons(level, matches, keep, team_id)
            pair = self.pairs[key] = (
                pair_cost(level, len(matches), keep, self.prep.policy),
                reasons,
                tuple(self.labels.reason(r) for r in reasons),
            )
        cost, reasons, text = pair
        if ben.b.priority_notes:
            first, words = [], []
            for note in ben.b.priority_notes:
                worded = self.notes.get(note)
                if worded is None:
                    reason = Reason(ReasonCode.PRIORITY, (note,))
                    worded = self.notes[note] = (reason, self.labels.reason(reason))
                first.append(worded[0])
                words.append(worded[1])
            reasons, text = (*first, *reasons), (*words, *text)
        return Proposal(
            beneficiary_id=ben.b.id,
            helper_id=helper_id,
            team_id=team_id,
            cost=cost,
            score=-cost,
            reasons=reasons,
            reason_text=text,
        )


def _stats(prep: Prepared, proposals, match: int, load: int) -> Stats:
    per_ben = defaultdict(int)
    for p in proposals:
        per_ben[p.beneficiary_id] += 1
    covered = sum(1 for ben in prep.bens if ben.existing or per_ben[ben.b.id])
    priority = sum(ben.priority for ben in prep.bens if ben.existing or per_ben[ben.b.id])
    newly = sum(1 for ben in prep.bens if not ben.existing and per_ben[ben.b.id])
    return Stats(
        beneficiaries=len(prep.bens),
        covered=covered,
        priority_covered=priority,
        newly_covered=newly,
        slots_wanted=sum(max(ben.wanted, ben.existing) for ben in prep.bens),
        slots_filled=sum(ben.existing for ben in prep.bens) + len(proposals),
        proposals=len(proposals),
        match_cost=match,
        load_cost=load,
        total_cost=match + load,
    )


def unmatched_reason(prep: Prepared, ben: Ben) -> UnmatchedCode:
    """Say why a beneficiary got nobody: nobody in range, everyone in range barred, or all full."""
    level = int(prep.policy.max_distance)
    loc = ben.b.location
    in_range = prep.reach_count.get(loc[:level], 0) if len(loc) >= level else 0
    teams = [tid for tid, area, members in prep.reach_teams if within(loc, area)]
    if not in_range and not teams:
        return UnmatchedCode.NO_HELPER_IN_RANGE
    barred_helpers = sum(1 for hid in ben.forbidden if len(loc) >= level and prep.reach_of.get(hid) == loc[:level])
    barred_teams = sum(
        1
        for tid, area, members in prep.reach_teams
        if within(loc, area) and (tid in ben.forbidden or members & ben.forbidden)
    )
    if barred_helpers == in_range and barred_teams == len(teams):
        return UnmatchedCode.NEVER_PAIR
    return UnmatchedCode.ALL_FULL


def _unmatched(prep: Prepared, bens: list[Ben], filled: list[int], labels: Labels) -> tuple[Unmatched, ...]:
    level = int(prep.policy.max_distance)
    # the highest priority newly covered in each area of reach: "given first to someone nearby who needs it more"
    top: dict[tuple, int] = defaultdict(int)
    for i, ben in enumerate(bens):
        if not ben.existing and filled[i] and len(ben.b.location) >= level:
            area = ben.b.location[:level]
            top[area] = max(top[area], ben.priority)
    out = []
    for i, ben in enumerate(bens):
        missing = ben.remaining - filled[i]
        if missing <= 0:
            continue
        if ben.existing or filled[i]:
            code = UnmatchedCode.SHORT
        else:
            code = unmatched_reason(prep, ben)
            if code is UnmatchedCode.ALL_FULL and top.get(ben.b.location[:level], 0) > ben.priority:
                code = UnmatchedCode.OUTRANKED
        text = labels.unmatched_text(code, ben.b.priority_notes)
        out.append(Unmatched(ben.b.id, code, missing, text, ben.priority))
    return tuple(out)
