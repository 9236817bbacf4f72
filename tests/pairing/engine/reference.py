"""Independent reference implementations the engine is checked against.

Written from the rules in docs/pairing-engine.md, not from the engine's code: eligibility,
pair costs, a plain max-flow (augmenting paths) and a brute force over all pairings.
"""

import random

from pairing.engine import Beneficiary, Distance, Helper, Instance, Mode, Policy, Team

PROVINCE = "14"


def region_tree(rng: random.Random, cities=2, counties=2, towns=2, villages=2) -> list[tuple[str, ...]]:
    """Return village locations of a small made-up region tree."""
    out = []
    for c in range(1, cities + 1):
        city = f"{PROVINCE}{c:02d}"
        for k in range(1, counties + 1):
            county = f"{city}{k:02d}"
            for t in range(1, towns + 1):
                town = f"{county}{t:03d}"
                for v in range(1, villages + 1):
                    out.append((PROVINCE, city, county, town, f"{town}{v:03d}"))
    return out


NEEDS = ["psychological", "study", "daily_life", "safety", "health"]
SKILLS = ["心理咨询", "教师", "家庭教育", "法律", "医护", "厨师"]


def random_instance(
    rng: random.Random,
    n_b: int,
    n_h: int,
    mode: Mode | None = None,
    max_distance: Distance | None = None,
    lists: bool = True,
    teams: int = 0,
    places=None,
    priorities: bool = True,
) -> Instance:
    places = places or region_tree(rng)
    mode = mode or rng.choice(list(Mode))
    if max_distance is None:
        max_distance = rng.choice([Distance.SAME_VILLAGE, Distance.SAME_TOWN, Distance.SAME_COUNTY, Distance.SAME_CITY])
    helper_ids = list(range(100, 100 + n_h))
    team_ids = [f"t{k}" for k in range(teams)]
    helpers = []
    for hid in helper_ids:
        helpers.append(
            Helper(
                id=hid,
                location=rng.choice(places),
                skills=frozenset(rng.sample(SKILLS, rng.choice([0, 0, 1, 1, 2]))),
                capacity=rng.choice([0, 1, 1, 2, 3]),
                current_load=rng.choice([0, 0, 1, 2]),
            )
        )
    team_objs = []
    if teams:
        members = rng.sample(helper_ids, min(len(helper_ids), 2 * teams))
        for k, tid in enumerate(team_ids):
            ms = frozenset(members[2 * k : 2 * k + 2])
            area = rng.choice(places)[: rng.choice([3, 4, 5])]
            team_objs.append(Team(id=tid, members=ms, location=area, capacity=rng.choice([0, 1, 2, 3])))
        # some helpers name a team by team_id without being listed in its members: members all the same
        listed = {m for t in team_objs for m in t.members}
        helpers = [
            Helper(h.id, h.location, h.skills, h.capacity, rng.choice(team_ids), h.current_load)
            if h.id not in listed and rng.random() < 0.15
            else h
            for h in helpers
        ]
    bens = []
    for bid in range(1, n_b + 1):
        never = existing = previous = frozenset()
        if lists:
            pool = helper_ids + team_ids
            never = frozenset(x for x in pool if rng.random() < 0.08)
            existing = frozenset(x for x in helper_ids if x not in never and rng.random() < 0.04)
            previous = frozenset(x for x in pool if x not in never and x not in existing and rng.random() < 0.08)
        priority = rng.choice([0, 0, 1, 2, 5, 20]) if priorities else 0
        bens.append(
            Beneficiary(
                id=bid,
                priority=priority,
                priority_notes=(f"优先 {priority}",) if priority else (),
                location=rng.choice(places),
                needs=frozenset(rng.sample(NEEDS, rng.choice([0, 1, 1, 2]))),
                wanted=rng.choice([1, 1, 2, 3]),
                existing_helpers=existing,
                never=never,
                previous_helpers=previous,
            )
        )
    policy = Policy(
        mode=mode,
        max_distance=max_distance,
        skill_bonus=rng.choice([0, 7, 15]),
        keep_bonus=rng.choice([0, 25]),
        load_spread=rng.choice([0, 3, 5]),
    )
    return Instance(tuple(bens), tuple(helpers), tuple(team_objs), policy)


# ---- the rules, restated -------------------------------------------------------------


def wanted(b: Beneficiary, policy: Policy) -> int:
    w = 1 if policy.mode in (Mode.ONE_TO_ONE, Mode.ONE_TO_MANY) else b.wanted
    return max(0, w - len(b.existing_helpers))


def carriers(inst: Instance) -> list[dict]:
    """Return who can be paired: helpers (team members excluded in team mode) and teams."""
    p = inst.policy
    teams_on = p.mode is Mode.TEAMS
    members = {m for t in inst.teams for m in t.members} if teams_on else set()
    team_ids = {t.id for t in inst.teams} if teams_on else set()
    out = []
    for h in inst.helpers:
        if h.id in members or h.team_id in team_ids:
            continue
        cap = min(h.capacity, 1) if p.mode in (Mode.ONE_TO_ONE, Mode.MANY_TO_ONE) else h.capacity
        out.append(dict(id=h.id, team=False, loc=h.location, skills=h.skills, cap=cap, load=h.current_load))
    if teams_on:
        for t in inst.teams:
            # a member is listed in the team or names it by team_id (docs/pairing-engine.md, "Modes")
            ms = frozenset(t.members) | {h.id for h in inst.helpers if h.team_id == t.id}
            skills = frozenset().union(*[h.skills for h in inst.helpers if h.id in ms])
            out.append(
                dict(
                    id=t.id,
                    team=True,
                    loc=t.location,
                    skills=skills,
                    cap=t.capacity,
                    load=t.current_load,
                    members=ms,
                )
            )
    return out


def prefix_len(a, b) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return min(n, 5)


def allowed(b: Beneficiary, c: dict, policy: Policy) -> bool:
    barred = b.never | b.existing_helpers
    if c["id"] in barred:
        return False
    if c["team"]:
        return tuple(b.location[: len(c["loc"])]) == tuple(c["loc"]) and not (c["members"] & barred)
    return prefix_len(b.location, c["loc"]) >= int(policy.max_distance)


def cost(b: Beneficiary, c: dict, policy: Policy) -> int:
    level = min(len(c["loc"]), 5) if c["team"] else prefix_len(b.location, c["loc"])
    served = {n for s in c["skills"] for n in policy.match_table.get(s, ())}
    matches = len(b.needs & served)
    keep = policy.keep_bonus if c["id"] in b.previous_helpers else 0
    return policy.distance_costs[Distance(level)] - policy.skill_bonus * matches - keep


def load_total(c: dict, taken: int, policy: Policy) -> int:
    return sum(policy.load_spread * (c["load"] + j) for j in range(taken))


def max_coverage(inst: Instance) -> int:
    """Return the most beneficiaries that can have a helper: a plain augmenting-path max-flow."""
    p = inst.policy
    cs = [c for c in carriers(inst) if c["cap"] > 0]
    already = sum(1 for b in inst.beneficiaries if b.existing_helpers)
    todo = [b for b in inst.beneficiaries if not b.existing_helpers and wanted(b, p) > 0]
    # each carrier becomes `cap` unit copies; then Kuhn's augmenting paths on a plain bipartite graph
    copies = [k for k, c in enumerate(cs) for _ in range(c["cap"])]
    adj = [[u for u, k in enumerate(copies) if allowed(b, cs[k], p)] for b in todo]
    owner = [-1] * len(copies)

    def augment(i, seen) -> bool:
        for u in adj[i]:
            if u not in seen:
                seen.add(u)
                if owner[u] == -1 or augment(owner[u], seen):
                    owner[u] = i
                    return True
        return False

    return already + sum(1 for i in range(len(todo)) if augment(i, set()))


def brute_force(inst: Instance, limit: int = 16):
    """Return the best (covered, slots, -cost) over every feasible set of pairs, or None if too many."""
    p = inst.policy
    cs = carriers(inst)
    bs = list(inst.beneficiaries)
    pairs = [
        (i, k)
        for i, b in enumerate(bs)
        for k, c in enumerate(cs)
        if c["cap"] > 0 and wanted(b, p) > 0 and allowed(b, c, p)
    ]
    if len(pairs) > limit:
        return None
    best = None
    for mask in range(1 << len(pairs)):
        chosen = [pairs[j] for j in range(len(pairs)) if mask >> j & 1]
        per_b = [0] * len(bs)
        per_c = [0] * len(cs)
        for i, k in chosen:
            per_b[i] += 1
            per_c[k] += 1
        if any(per_b[i] > wanted(b, p) for i, b in enumerate(bs)) or any(per_c[k] > c["cap"] for k, c in enumerate(cs)):
            continue
        covered = sum(1 for i, b in enumerate(bs) if b.existing_helpers or per_b[i])
        priority = sum(b.priority for i, b in enumerate(bs) if b.existing_helpers or per_b[i])
        total = sum(cost(bs[i], cs[k], p) for i, k in chosen) + sum(
            load_total(c, per_c[k], p) for k, c in enumerate(cs)
        )
        key = (covered, priority, len(chosen), -total)
        if best is None or key > best:
            best = key
    return best


def cp_sat_coverage_then_priority(inst: Instance) -> tuple[int, int]:
    """Return (most beneficiaries covered, most total priority among such solutions), by CP-SAT.

    A 0/1 model of the rules, solved twice: maximise coverage; fix it; maximise priority.
    """
    from ortools.sat.python import cp_model

    p = inst.policy
    cs = [c for c in carriers(inst) if c["cap"] > 0]
    bs = list(inst.beneficiaries)

    def build():
        m = cp_model.CpModel()
        x = {}
        for i, b in enumerate(bs):
            for k, c in enumerate(cs):
                if wanted(b, p) > 0 and allowed(b, c, p):
                    x[i, k] = m.new_bool_var(f"x{i}_{k}")
        y = []
        for i, b in enumerate(bs):
            mine = [v for (bi, _), v in x.items() if bi == i]
            if mine:
                m.add(sum(mine) <= wanted(b, p))
            if b.existing_helpers:
                y.append(1)
                continue
            yi = m.new_bool_var(f"y{i}")
            m.add(yi <= sum(mine))
            y.append(yi)
        for k, c in enumerate(cs):
            theirs = [v for (_, ck), v in x.items() if ck == k]
            if theirs:
                m.add(sum(theirs) <= c["cap"])
        return m, y

    def run(m) -> int:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(m)
        assert status == cp_model.OPTIMAL, solver.status_name(status)
        return round(solver.objective_value)

    m, y = build()
    m.maximize(sum(y))
    covered = run(m)
    m, y = build()
    m.add(sum(y) == covered)
    m.maximize(sum(b.priority * yi for b, yi in zip(bs, y, strict=True)))
    return covered, run(m)


def objective(result) -> tuple[int, int, int, int]:
    s = result.stats
    return (s.covered, s.priority_covered, s.proposals, -s.total_cost)
