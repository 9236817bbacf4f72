"""The nearest-first greedy baseline, for comparison in tests and benchmarks.

Beneficiaries in order of priority (highest first, then id) take the nearest helper (then
the best skill match, then the lowest id) that still has room; first everyone's first slot,
then further slots round by round. It is what a person with a spreadsheet would do, and
what the engine must beat.
"""

from __future__ import annotations

from collections import defaultdict

from pairing.engine.costs import id_key, load_cost, proposal_key
from pairing.engine.labels import DEFAULT_LABELS, Labels
from pairing.engine.model import Distance, Instance, Result
from pairing.engine.prepare import prepare
from pairing.engine.solver import _group_cost, _stats, _unmatched, _Words


def greedy(instance: Instance, labels: Labels = DEFAULT_LABELS) -> Result:
    """Return the nearest-first greedy pairing of an instance."""
    prep = prepare(instance)
    policy = prep.policy
    max_level = int(policy.max_distance)
    bens = [ben for ben in prep.bens if ben.remaining > 0]
    groups = prep.groups
    free = {g.index: g.n * g.capacity for g in groups}
    counts = {g.index: [0] * g.n for g in groups}

    # candidates by (region prefix, level): helper groups inside the region, teams whose area it is
    ring: dict[tuple, list] = defaultdict(list)
    for g in groups:
        if g.team_id is None:
            for level in range(max_level, min(len(g.location), int(Distance.SAME_VILLAGE)) + 1):
                ring[g.location[:level]].append(g)
        else:
            ring[g.location].append(g)

    used: dict[int, set] = defaultdict(set)  # ben position -> members already given
    filled = [0] * len(bens)

    def take(i) -> bool:
        ben = bens[i]
        loc = ben.b.location
        for size in range(len(loc), -1, -1):
            candidates = ring.get(loc[:size])
            if not candidates:
                continue
            best = None
            for g in candidates:
                if not free[g.index]:
                    continue
                lvl = g.eligible_level(ben, policy.max_distance)
                if lvl is None:
                    continue
                members = [k for k in range(g.n) if g.members[k] not in used[i]]
                if not members:
                    continue
                k = min(members, key=lambda m: (counts[g.index][m], m))
                if counts[g.index][k] >= g.capacity:
                    continue
                key = (_group_cost(prep, ben, g, lvl), id_key(g.members[k]))
                if best is None or key < best[0]:
                    best = (key, g, k)
            if len(candidates) > 32 and sum(1 for g in candidates if not free[g.index]) * 2 > len(candidates):
                candidates[:] = [g for g in candidates if free[g.index]]
            if best is not None:
                _, g, k = best
                free[g.index] -= 1
                counts[g.index][k] += 1
                used[i].add(g.members[k])
                picks.append((i, g, g.members[k]))
                filled[i] += 1
                return True
        return False

    picks = []
    for i in sorted(range(len(bens)), key=lambda i: -bens[i].priority):  # stable: id order within a priority
        if bens[i].existing == 0:
            take(i)
    progress = True
    while progress:
        progress = False
        for i, ben in enumerate(bens):
            if filled[i] < ben.remaining and (ben.existing or filled[i]) and take(i):
                progress = True

    words = _Words(prep, labels)
    proposals = [words.proposal(bens[i], g, member) for i, g, member in picks]
    proposals.sort(key=proposal_key)
    match = sum(p.cost for p in proposals)
    load = sum(load_cost(g.load, c, policy) for g in groups for c in counts[g.index])
    return Result(tuple(proposals), _unmatched(prep, bens, filled, labels), _stats(prep, proposals, match, load))
