"""Bulk arcs of the solver's network, built with numpy: hub → group and beneficiary → group."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from pairing.engine.model import Distance
from pairing.engine.prepare import Ben, Group, Prepared


def hub_arcs(prep: Prepared, hub_keys: list, hubs: dict, targets: dict, group_node: dict):
    """Return the arcs from each hub to every helper group of its region, built with numpy."""
    if not hub_keys:
        e32, e64 = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return e32, e32, e64, e64, e64, e64
    skill_ids: dict[frozenset, int] = {}
    packed = {}
    for key in hub_keys:
        region, _needs, several = key
        if (region, several) not in packed:
            gs = targets[key]
            packed[(region, several)] = (
                np.array([group_node[g.index] for g in gs], dtype=np.int32),
                np.array([g.n * g.capacity for g in gs], dtype=np.int64),
                np.array([skill_ids.setdefault(g.skills, len(skill_ids)) for g in gs], dtype=np.int64),
                np.array([g.index for g in gs], dtype=np.int64),
            )
    # -skill_bonus x matches, per (needs, skill set): a few dozen rows, not one per hub
    bonus: dict[frozenset, np.ndarray] = {}
    for _region, needs, _several in hub_keys:
        if needs not in bonus:
            row = [len(prep.matched(needs, skills)) for skills in skill_ids]
            bonus[needs] = -prep.policy.skill_bonus * np.array(row, dtype=np.int64)
    chunks = ([], [], [], [])
    sizes = np.zeros(len(hub_keys), dtype=np.int64)
    for k, key in enumerate(hub_keys):
        region, needs, several = key
        g_node, g_cap, g_skill, g_index = packed[(region, several)]
        sizes[k] = len(g_node)
        chunks[0].append(g_node)
        chunks[1].append(g_cap)
        chunks[2].append(bonus[needs][g_skill])
        chunks[3].append(g_index)
    hub_nodes = np.array([hubs[key] for key in hub_keys], dtype=np.int32)
    heads, caps, costs, index = (np.concatenate(c) for c in chunks)
    tails = np.repeat(hub_nodes, sizes)
    return tails, heads, caps, costs, np.repeat(np.arange(len(hub_keys), dtype=np.int64), sizes), index


def direct_arcs(prep: Prepared, bens: list[Ben], nodes: list[int], helper_groups: list[Group], group_node: dict):
    """Return arcs from each beneficiary to every helper group in range, built with numpy.

    Used for beneficiaries a hub cannot serve (several slots to fill, or someone on their
    lists); their arc count is (such beneficiaries) x (groups in range).
    """
    empty_i = np.zeros(0, dtype=np.int64)
    if not bens:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), empty_i, empty_i, empty_i, empty_i
    policy = prep.policy
    max_level = int(policy.max_distance)
    top = int(Distance.SAME_VILLAGE)
    dist = np.array([policy.distance_costs[Distance(d)] for d in range(top + 1)], dtype=np.int64)
    regions: dict[tuple, list[Group]] = defaultdict(list)
    for g in helper_groups:
        if len(g.location) >= max_level:
            regions[g.location[:max_level]].append(g)
    skill_ids: dict[frozenset, int] = {}
    for g in helper_groups:
        skill_ids.setdefault(g.skills, len(skill_ids))
    skill_list = list(skill_ids)
    packed = {}
    for key, gs in regions.items():
        codes = [np.array([g.location[lv] if len(g.location) > lv else "" for g in gs]) for lv in range(max_level, top)]
        packed[key] = (
            np.array([g.index for g in gs], dtype=np.int64),
            np.array([group_node[g.index] for g in gs], dtype=np.int32),
            np.array([g.n for g in gs], dtype=np.int64),
            np.array([skill_ids[g.skills] for g in gs], dtype=np.int64),
            codes,
            {g.members[0]: k for k, g in enumerate(gs) if g.exception},
        )
    match_rows: dict[frozenset, np.ndarray] = {}
    out = ([], [], [], [], [], [])
    for pos, (ben, node) in enumerate(zip(bens, nodes, strict=True)):
        loc = ben.b.location
        if len(loc) < max_level or loc[:max_level] not in packed:
            continue
        g_index, g_node, g_n, g_skill, codes, singles = packed[loc[:max_level]]
        level = np.full(len(g_index), max_level, dtype=np.int64)
        same = np.ones(len(g_index), dtype=bool)
        for lv, column in zip(range(max_level, top), codes, strict=True):
            same &= column == (loc[lv] if len(loc) > lv else None)
            level += same
        if ben.needs not in match_rows:
            match_rows[ben.needs] = np.array([len(prep.matched(ben.needs, sk)) for sk in skill_list], dtype=np.int64)
        cost = dist[level] - policy.skill_bonus * match_rows[ben.needs][g_skill]
        keep = np.ones(len(g_index), dtype=bool)
        for hid in ben.forbidden:
            if hid in singles:
                keep[singles[hid]] = False
        for hid in ben.previous:
            if hid in singles:
                cost[singles[hid]] -= policy.keep_bonus
        sel = np.flatnonzero(keep)
        out[0].append(np.full(len(sel), node, dtype=np.int32))
        out[1].append(g_node[sel])
        out[2].append(np.minimum(g_n[sel], ben.remaining))
        out[3].append(cost[sel])
        out[4].append(np.full(len(sel), pos, dtype=np.int64))
        out[5].append(g_index[sel])
    if not out[0]:
        return direct_arcs(prep, [], [], helper_groups, group_node)
    return tuple(np.concatenate(parts) for parts in out)
