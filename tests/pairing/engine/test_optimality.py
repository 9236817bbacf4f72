"""The engine's result is optimal: checked against independent references on many random instances."""

import dataclasses
import random

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from pairing.engine import Distance, Mode, greedy, solve, solve_split
from tests.pairing.engine.reference import (
    allowed,
    brute_force,
    carriers,
    cost,
    cp_sat_coverage_then_priority,
    max_coverage,
    objective,
    random_instance,
)


@pytest.mark.parametrize("seed", range(20))
def test_coverage_equals_the_maximum_flow(seed):
    rng = random.Random(seed)
    for _ in range(100):  # 2,000 instances in all
        inst = random_instance(rng, rng.randint(1, 25), rng.randint(0, 20), teams=rng.choice([0, 0, 2]))
        result = solve(inst)
        assert result.stats.covered == max_coverage(inst)


@pytest.mark.parametrize("seed", range(10))
def test_one_to_one_cost_equals_linear_sum_assignment(seed):
    rng = random.Random(1000 + seed)
    for _ in range(100):  # 1,000 instances
        inst = random_instance(rng, rng.randint(1, 15), rng.randint(1, 15), mode=Mode.ONE_TO_ONE)
        p = inst.policy
        bs = [b for b in inst.beneficiaries if not b.existing_helpers]
        cs = [c for c in carriers(inst) if c["cap"] > 0]
        result = solve(inst)
        if not bs or not cs:
            assert result.stats.proposals == 0
            continue
        # forbidden pairs cost BIG, every allowed pair earns -PRIZE and -WEIGHT per unit of the
        # child's priority: the assignment maximises the number of allowed pairs first, then
        # their priority, then minimises their cost
        prize, weight, big = 10**9, 10**5, 10**13
        m = np.full((len(bs), len(cs)), big, dtype=np.int64)
        for i, b in enumerate(bs):
            for k, c in enumerate(cs):
                if allowed(b, c, p):
                    m[i, k] = cost(b, c, p) + p.load_spread * c["load"] - weight * b.priority - prize
        rows, cols = linear_sum_assignment(m)
        real = [(r, c) for r, c in zip(rows, cols, strict=True) if m[r, c] < big]
        assert result.stats.newly_covered == len(real)
        chosen = {p.beneficiary_id for p in result.proposals}
        assert sum(b.priority for b in bs if b.id in chosen) == sum(bs[r].priority for r, _ in real)
        assert result.stats.total_cost == sum(int(m[r, c]) + prize + weight * bs[r].priority for r, c in real)


@pytest.mark.parametrize("seed", range(6))
def test_covered_priority_is_the_maximum_among_maximum_coverage_solutions(seed):
    # an independent 0/1 model (CP-SAT, two stages) on instances too large for the brute force
    rng = random.Random(4000 + seed)
    for _ in range(50):  # 300 instances, every mode, teams included
        inst = random_instance(rng, rng.randint(1, 14), rng.randint(0, 10), teams=rng.choice([0, 0, 2]))
        result = solve(inst)
        assert (result.stats.covered, result.stats.priority_covered) == cp_sat_coverage_then_priority(inst)


def test_priority_never_costs_coverage():
    # child 1 comes first and would rather have helper 10 (her own village), but helper 10 is
    # the only one child 2 may have: both are covered, child 1 by the farther helper
    from pairing.engine import Beneficiary, Helper, Instance, Policy

    a = ("14", "1401", "140101", "140101001", "140101001001")
    b = ("14", "1401", "140101", "140101001", "140101001002")
    inst = Instance(
        (Beneficiary(1, a, priority=1000), Beneficiary(2, a, never=frozenset({11}))),
        (Helper(10, a), Helper(11, b)),
        policy=Policy(max_distance=Distance.SAME_TOWN),
    )
    result = solve(inst)
    assert sorted((p.beneficiary_id, p.helper_id) for p in result.proposals) == [(1, 11), (2, 10)]
    assert greedy(inst).stats.covered == 1  # greedy gives child 1 her nearest helper and loses child 2


@pytest.mark.parametrize("mode", list(Mode))
def test_lexicographic_optimum_equals_brute_force(mode):
    rng = random.Random(hash(mode.value) % 10_000)
    checked = 0
    while checked < 150:
        inst = random_instance(rng, rng.randint(1, 4), rng.randint(1, 4), mode=mode, teams=rng.choice([0, 1]))
        best = brute_force(inst, limit=12)
        if best is None:
            continue
        assert objective(solve(inst)) == best
        checked += 1


@pytest.mark.parametrize("seed", range(5))
def test_engine_is_never_worse_than_greedy(seed):
    rng = random.Random(2000 + seed)
    for _ in range(100):
        inst = random_instance(rng, rng.randint(1, 40), rng.randint(1, 30), teams=rng.choice([0, 3]))
        engine, baseline = solve(inst), greedy(inst)
        assert engine.stats.covered >= baseline.stats.covered
        assert objective(engine) >= objective(baseline)


@pytest.mark.parametrize("seed", range(5))
def test_split_by_county_reaches_the_same_optimum(seed):
    rng = random.Random(3000 + seed)
    for _ in range(40):
        inst = random_instance(
            rng, rng.randint(5, 60), rng.randint(5, 50), max_distance=Distance.SAME_COUNTY, teams=rng.choice([0, 2])
        )
        whole, parts = solve(inst), solve_split(inst)
        # equal optima; how the total splits into match and load cost may differ between optima
        assert objective(parts) == objective(whole)
        assert (parts.stats.slots_filled, parts.stats.beneficiaries) == (
            whole.stats.slots_filled,
            whole.stats.beneficiaries,
        )


def test_medium_instances_keep_full_coverage_against_max_flow():
    # bigger than the brute force can take: hubs and grouped helpers are exercised at scale
    rng = random.Random(7)
    for _ in range(10):
        inst = random_instance(rng, 300, 240, max_distance=rng.choice([Distance.SAME_TOWN, Distance.SAME_COUNTY]))
        assert solve(inst).stats.covered == max_coverage(inst)


@pytest.mark.parametrize("seed", range(4))
def test_lexicographic_optimum_holds_with_large_costs_and_priority_ties(seed):
    # the weights' edge (docs/pairing-engine.md, "The weights"): costs a thousand times the
    # defaults, so that a cost saving is as large as it gets against one unit of priority, and
    # priorities that tie often (several maximum-priority sets) or dwarf every cost
    rng = random.Random(5000 + seed)
    checked = 0
    while checked < 100:
        inst = random_instance(rng, rng.randint(1, 4), rng.randint(1, 4), teams=rng.choice([0, 1]))
        steps = sorted(rng.choices([0, 1, 999, 10**5, 10**6], k=5))
        policy = dataclasses.replace(
            inst.policy,
            distance_costs={Distance(5 - k): sum(steps[:k]) for k in range(6)},
            skill_bonus=rng.choice([0, 10**4, 10**6]),
            keep_bonus=rng.choice([0, 10**6]),
            load_spread=rng.choice([0, 10**5]),
        )
        ties = [rng.choice([0, 3, 3, 3, 10**6]) for _ in inst.beneficiaries]
        bens = tuple(dataclasses.replace(b, priority=p) for b, p in zip(inst.beneficiaries, ties, strict=True))
        inst = dataclasses.replace(inst, beneficiaries=bens, policy=policy)
        best = brute_force(inst, limit=12)
        if best is None:
            continue
        assert objective(solve(inst)) == best
        checked += 1


def test_one_more_child_outweighs_any_priority_and_priority_outweighs_any_cost():
    from pairing.engine import Beneficiary, Helper, Instance, Policy

    a = ("14", "1401", "140101", "140101001", "140101001001")
    b = ("14", "1401", "140101", "140101002", "140101002001")
    costly = Policy(
        max_distance=Distance.SAME_COUNTY,
        distance_costs={Distance(d): [10**7, 10**7, 10**7, 10**7, 10**6, 0][d] for d in range(6)},
    )
    # coverage: the priority-10**6 child could take helper 10, but then child 2 has nobody
    two = Instance(
        (Beneficiary(1, a, priority=10**6), Beneficiary(2, a, never=frozenset({11}))),
        (Helper(10, a), Helper(11, b)),
        policy=costly,
    )
    assert objective(solve(two))[:2] == (2, 10**6)
    # priority: child 1 (priority 1) far from the only helper beats child 2 (priority 0) beside her
    one = Instance((Beneficiary(1, b, priority=1), Beneficiary(2, a)), (Helper(10, a),), policy=costly)
    [p] = solve(one).proposals
    assert (p.beneficiary_id, p.cost) == (1, 10**7)
