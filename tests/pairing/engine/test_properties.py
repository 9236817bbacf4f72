"""Hypothesis properties: hard rules always hold, and the result depends only on the input."""

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.engine import Instance, Mode, solve
from pairing.engine.costs import common_level, within
from tests.pairing.engine.reference import carriers, random_instance, wanted

instances = st.builds(
    lambda seed, n_b, n_h, mode, teams: random_instance(random.Random(seed), n_b, n_h, mode=mode, teams=teams),
    seed=st.integers(0, 2**32 - 1),
    n_b=st.integers(0, 30),
    n_h=st.integers(0, 25),
    mode=st.sampled_from(list(Mode)),
    teams=st.sampled_from([0, 0, 1, 3]),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances)
def test_capacities_are_never_exceeded(inst):
    result = solve(inst)
    cap = {c["id"]: c["cap"] for c in carriers(inst)}
    used = Counter(p.helper_id if p.helper_id is not None else p.team_id for p in result.proposals)
    for carrier, n in used.items():
        assert n <= cap[carrier]
    per_b = Counter(p.beneficiary_id for p in result.proposals)
    for b in inst.beneficiaries:
        assert per_b[b.id] <= wanted(b, inst.policy)


@SETTINGS
@given(instances)
def test_no_forbidden_pair_no_duplicate_and_within_distance(inst):
    result = solve(inst)
    bens = {b.id: b for b in inst.beneficiaries}
    helpers = {h.id: h for h in inst.helpers}
    teams = {t.id: t for t in inst.teams}
    pairs = [(p.beneficiary_id, p.helper_id, p.team_id) for p in result.proposals]
    assert len(pairs) == len(set(pairs))
    members = {m for t in inst.teams for m in t.members}
    for p in result.proposals:
        b = bens[p.beneficiary_id]
        barred = b.never | b.existing_helpers
        if p.team_id is not None:
            assert inst.policy.mode is Mode.TEAMS
            team = teams[p.team_id]
            assert p.team_id not in barred and not (team.members & barred)
            assert within(b.location, team.location)
        else:
            assert p.helper_id not in barred
            assert common_level(b.location, helpers[p.helper_id].location) >= inst.policy.max_distance
            if inst.policy.mode is Mode.TEAMS:
                assert p.helper_id not in members  # team members serve only through their team


@SETTINGS
@given(instances, st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_output(inst, rnd):
    first = solve(inst)
    shuffled = Instance(
        tuple(rnd.sample(inst.beneficiaries, len(inst.beneficiaries))),
        tuple(rnd.sample(inst.helpers, len(inst.helpers))),
        tuple(rnd.sample(inst.teams, len(inst.teams))),
        inst.policy,
    )
    assert solve(inst) == first
    assert solve(shuffled) == first


@SETTINGS
@given(instances)
def test_stats_agree_with_the_proposals(inst):
    result = solve(inst)
    s = result.stats
    assert s.proposals == len(result.proposals)
    assert s.match_cost == sum(p.cost for p in result.proposals)
    assert s.total_cost == s.match_cost + s.load_cost
    assert all(p.score == -p.cost and len(p.reason_text) == len(p.reasons) for p in result.proposals)
    paired = {p.beneficiary_id for p in result.proposals}
    uncovered = {b.id for b in inst.beneficiaries if not b.existing_helpers and b.id not in paired}
    assert s.covered == s.beneficiaries - len(uncovered)
    assert {u.beneficiary_id for u in result.unmatched} >= uncovered
