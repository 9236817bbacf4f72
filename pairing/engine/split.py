"""Split an instance into independent parts, solve them (in parallel if asked), merge.

Two places can only be paired when they share the region prefix of the policy's
``max_distance`` (the county code for ``SAME_COUNTY``), so the parts keyed by that prefix
share no arc and the union of their optimal solutions is optimal for the whole (each of
the three objectives is a sum over parts). A team whose area is larger than one part glues
the parts it covers together; so does, in team mode, a helper who belongs to teams in
different parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pairing.engine.costs import id_key, proposal_key
from pairing.engine.labels import DEFAULT_LABELS, Labels
from pairing.engine.model import Instance, Result, Stats
from pairing.engine.prepare import team_members
from pairing.engine.solver import solve


class _Union:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def partition(instance: Instance, level: int | None = None) -> list[Instance]:
    """Return independent sub-instances, in a fixed order (by region key)."""
    level = int(instance.policy.max_distance) if level is None else level
    if level > int(instance.policy.max_distance):
        raise ValueError("cannot split finer than the policy's max_distance: parts would not be independent")

    def key(location) -> tuple:
        return tuple(location[:level]) if len(location) >= level else ("~",) + tuple(location)

    if not instance.teams:  # nothing glues regions together: the parts are the regions
        return _by_region(instance, key, level)
    uf = _Union()

    for b in instance.beneficiaries:
        uf.find(key(b.location))
    team_key = {}
    for t in instance.teams:
        if len(t.location) >= level:
            team_key[t.id] = key(t.location)
            uf.find(team_key[t.id])
        else:  # a team larger than a part: glue every part inside its area
            team_key[t.id] = ("team",) + (repr(t.id),)
            uf.find(team_key[t.id])
            for b in instance.beneficiaries:
                if tuple(b.location[: len(t.location)]) == tuple(t.location):
                    uf.union(team_key[t.id], key(b.location))
    member_of = defaultdict(list)
    for tid, members in team_members(instance).items():  # empty outside team mode
        for m in members:
            member_of[m].append(tid)
    helper_key = {}
    for h in instance.helpers:
        teams = member_of.get(h.id, [])
        if teams:
            helper_key[h.id] = team_key[teams[0]]
            for tid in teams[1:]:
                uf.union(team_key[teams[0]], team_key[tid])
        elif len(h.location) >= level:
            helper_key[h.id] = key(h.location)
        # a helper too vaguely placed to be in range of anyone is left out
    parts: dict = defaultdict(lambda: ([], [], []))
    for b in instance.beneficiaries:
        parts[uf.find(key(b.location))][0].append(b)
    for h in instance.helpers:
        if h.id in helper_key:
            parts[uf.find(helper_key[h.id])][1].append(h)
    for t in instance.teams:
        parts[uf.find(team_key[t.id])][2].append(t)
    return [
        Instance(tuple(bs), tuple(hs), tuple(ts), instance.policy)
        for _, (bs, hs, ts) in sorted(parts.items(), key=lambda kv: repr(kv[0]))
        if bs
    ]


def _by_region(instance: Instance, key, level: int) -> list[Instance]:
    parts: dict = defaultdict(lambda: ([], []))
    for b in instance.beneficiaries:
        parts[key(b.location)][0].append(b)
    for h in instance.helpers:
        if len(h.location) >= level:  # a helper too vaguely placed to be in range of anyone is left out
            found = parts.get(key(h.location))
            if found is not None:
                found[1].append(h)
    return [
        Instance(tuple(bs), tuple(hs), (), instance.policy)
        for _, (bs, hs) in sorted(parts.items(), key=lambda kv: repr(kv[0]))
    ]


def merge(results: Iterable[Result]) -> Result:
    """Return one result from the results of independent parts."""
    results = list(results)
    if len(results) == 1:
        return results[0]  # a solve's proposals and unmatched rows are in this order already
    proposals, unmatched, stats = [], [], Stats()
    for r in results:
        proposals.extend(r.proposals)
        unmatched.extend(r.unmatched)
        stats = stats + r.stats
    proposals.sort(key=proposal_key)
    unmatched.sort(key=lambda u: id_key(u.beneficiary_id))
    return Result(tuple(proposals), tuple(unmatched), stats)


def _solve_part(args):
    part, labels = args
    return solve(part, labels)


def solve_split(
    instance: Instance, labels: Labels = DEFAULT_LABELS, processes: int = 1, level: int | None = None
) -> Result:
    """Solve part by part (``processes`` > 1: a process pool) and merge: the same optimum as one solve."""
    parts = partition(instance, level)
    if processes > 1 and len(parts) > 1:
        import multiprocessing

        # largest first so that the pool is not left waiting on one big county at the end
        order = sorted(range(len(parts)), key=lambda i: -len(parts[i].beneficiaries))
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            solved = pool.map(_solve_part, [(parts[i], labels) for i in order], chunksize=1)
        results = [None] * len(parts)
        for i, r in zip(order, solved, strict=True):
            results[i] = r
    else:
        results = [solve(p, labels) for p in parts]
    return merge(results)
