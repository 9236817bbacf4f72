"""The four pairing modes, the objective's order, the reasons and the unmatched explanations."""

import pytest

from pairing.engine import (
    Beneficiary,
    Distance,
    EngineError,
    Helper,
    Instance,
    Labels,
    Mode,
    Policy,
    ReasonCode,
    Team,
    UnmatchedCode,
    greedy,
    partition,
    solve,
    solve_split,
)

TOWN = ("14", "1405", "140521", "140521100")
V1 = (*TOWN, "140521100001")
V2 = (*TOWN, "140521100002")
OTHER_TOWN_V = ("14", "1405", "140521", "140521101", "140521101001")
OTHER_COUNTY_V = ("14", "1405", "140525", "140525100", "140525100001")


def pairs(result):
    return sorted((p.beneficiary_id, p.helper_id if p.helper_id is not None else p.team_id) for p in result.proposals)


def test_one_to_one_uses_each_helper_once_and_gives_each_child_one():
    # given a helper who could take three and a child who wants two
    inst = Instance(
        (Beneficiary(1, V1, wanted=2), Beneficiary(2, V1)),
        (Helper(10, V1, capacity=3), Helper(11, V1, capacity=3)),
        policy=Policy(mode=Mode.ONE_TO_ONE),
    )
    # then one-to-one clamps both to one
    assert pairs(solve(inst)) == [(1, 10), (2, 11)]


def test_one_to_many_lets_one_helper_take_several_children():
    inst = Instance(
        (Beneficiary(1, V1, wanted=3), Beneficiary(2, V1), Beneficiary(3, V2)),
        (Helper(10, V1, capacity=3),),
        policy=Policy(mode=Mode.ONE_TO_MANY),
    )
    result = solve(inst)
    assert pairs(result) == [(1, 10), (2, 10), (3, 10)]
    assert result.stats.slots_wanted == 3  # wanted is clamped to one in this mode


def test_many_to_one_gives_a_child_several_helpers_each_helper_one_child():
    inst = Instance(
        (Beneficiary(1, V1, wanted=3), Beneficiary(2, V2)),
        (Helper(10, V1, capacity=2), Helper(11, V1, capacity=2), Helper(12, V2, capacity=2)),
        policy=Policy(mode=Mode.MANY_TO_ONE),
    )
    result = solve(inst)
    assert pairs(result) == [(1, 10), (1, 11), (2, 12)]
    assert [(u.beneficiary_id, u.code, u.missing) for u in result.unmatched] == [(1, UnmatchedCode.SHORT, 1)]


def test_many_identical_helpers_are_handed_out_distinct_and_balanced():
    # five interchangeable helpers in one village (one group node); three children wanting three each
    helpers = tuple(Helper(10 + k, V1, capacity=2) for k in range(5))
    bens = tuple(Beneficiary(k, V1, wanted=3) for k in (1, 2, 3))
    result = solve(Instance(bens, helpers, policy=Policy(mode=Mode.MANY_TO_MANY, load_spread=5)))
    got = pairs(result)
    assert len(got) == len(set(got)) == 9
    per_helper = sorted(sum(1 for _, h in got if h == 10 + k) for k in range(5))
    assert per_helper == [1, 2, 2, 2, 2]  # balanced: the load-spreading optimum


def test_teams_are_paired_as_a_unit_within_their_area_and_members_only_through_the_team():
    team = Team("t1", members=frozenset({10, 11}), location=TOWN, capacity=2)
    inst = Instance(
        (Beneficiary(1, V1), Beneficiary(2, V2), Beneficiary(3, V2), Beneficiary(4, OTHER_TOWN_V)),
        (
            Helper(10, V1, skills={"教师"}, team_id="t1", capacity=5),
            Helper(11, V2, team_id="t1", capacity=5),
            Helper(12, OTHER_TOWN_V, capacity=1),
        ),
        (team,),
        policy=Policy(mode=Mode.TEAMS, max_distance=Distance.SAME_COUNTY),
    )
    result = solve(inst)
    got = pairs(result)
    # three children in the team's town, room for two: which two is a tie
    assert [p for p in got if p[1] == "t1"] == [(b, "t1") for b in (1, 2, 3) if b != result.unmatched[0].beneficiary_id]
    assert (4, 12) in got and len(got) == 3
    assert [u.code for u in result.unmatched] == [UnmatchedCode.ALL_FULL]
    team_proposal = result.proposals[0]
    assert team_proposal.helper_id is None and team_proposal.team_id == "t1"
    assert team_proposal.reasons[0].code is ReasonCode.TEAM
    assert team_proposal.reason_text[:2] == ("关爱小分队 t1", "同镇")


def test_a_team_with_a_never_pair_member_is_not_proposed():
    inst = Instance(
        (Beneficiary(1, V1, never=frozenset({11})),),
        (Helper(10, V1, team_id="t1"), Helper(11, V1, team_id="t1")),
        (Team("t1", members=frozenset({10, 11}), location=TOWN, capacity=3),),
        policy=Policy(mode=Mode.TEAMS),
    )
    result = solve(inst)
    assert result.proposals == ()
    assert result.unmatched[0].code is UnmatchedCode.NEVER_PAIR


def test_outside_team_mode_team_members_pair_individually():
    inst = Instance(
        (Beneficiary(1, V1),),
        (Helper(10, V1, team_id="t1"),),
        (Team("t1", members=frozenset({10}), location=TOWN, capacity=3),),
        policy=Policy(mode=Mode.ONE_TO_ONE),
    )
    assert pairs(solve(inst)) == [(1, 10)]


def test_every_childs_first_slot_comes_before_anyones_second():
    # child 1 wants two and has two helpers in her own village (cost 0 each);
    # child 2, one town away, can only reach them at a cost: coverage wins over cost
    inst = Instance(
        (Beneficiary(1, V1, wanted=2), Beneficiary(2, OTHER_TOWN_V)),
        (Helper(10, V1), Helper(11, V1)),
        policy=Policy(mode=Mode.MANY_TO_MANY, max_distance=Distance.SAME_COUNTY),
    )
    result = solve(inst)
    assert result.stats.covered == 2
    assert {b for b, _ in pairs(result)} == {1, 2}


def test_filled_slots_come_before_cost():
    # one helper costs nothing for child 1; taking the far helper as well fills a second slot
    inst = Instance(
        (Beneficiary(1, V1, wanted=2),),
        (Helper(10, V1), Helper(11, OTHER_TOWN_V)),
        policy=Policy(mode=Mode.MANY_TO_ONE, max_distance=Distance.SAME_COUNTY),
    )
    assert pairs(solve(inst)) == [(1, 10), (1, 11)]


def test_nearer_and_skilled_helpers_are_preferred_with_reasons_in_words():
    inst = Instance(
        (Beneficiary(1, V1, needs=frozenset({"psychological", "study"})),),
        (
            Helper(10, V1),  # same village, no skill: cost 0
            Helper(11, V2, skills={"心理咨询", "教师"}),  # same town, two needs served: 10 - 30
        ),
        policy=Policy(max_distance=Distance.SAME_TOWN),
    )
    [p] = solve(inst).proposals
    assert p.helper_id == 11
    assert p.cost == -20 and p.score == 20
    assert p.reason_text == (
        "同镇",
        "心理咨询 ↔ 心理需求",
        "教师 ↔ 学业需求",
    )


def test_previous_pairing_is_resumed_when_possible():
    inst = Instance(
        (Beneficiary(1, V1, previous_helpers=frozenset({11})),),
        (Helper(10, V1), Helper(11, V2)),
        policy=Policy(max_distance=Distance.SAME_TOWN, keep_bonus=25),
    )
    [p] = solve(inst).proposals
    assert p.helper_id == 11
    assert p.reason_text[-1] == "延续原结对"


def test_load_is_spread_over_helpers():
    inst = Instance(
        (Beneficiary(1, V1), Beneficiary(2, V1)),
        (Helper(10, V1, capacity=2), Helper(11, V1, capacity=3)),  # two groups
        policy=Policy(mode=Mode.ONE_TO_MANY, load_spread=5),
    )
    assert sorted(h for _, h in pairs(solve(inst))) == [10, 11]


def test_existing_pairings_fill_slots_and_are_not_proposed_again():
    inst = Instance(
        (Beneficiary(1, V1, wanted=2, existing_helpers=frozenset({10})), Beneficiary(2, V1)),
        (Helper(10, V1, capacity=3), Helper(11, V1, capacity=1)),
        policy=Policy(mode=Mode.MANY_TO_MANY),
    )
    result = solve(inst)
    # child 1 already has helper 10, so her second slot can only be helper 11
    assert pairs(result) == [(1, 11), (2, 10)]
    assert result.stats.covered == 2 and result.stats.slots_filled == 3 == result.stats.slots_wanted


def test_unmatched_reasons_say_why():
    inst = Instance(
        (
            Beneficiary(1, OTHER_COUNTY_V),  # nobody in her town
            Beneficiary(2, V1, never=frozenset({10})),  # the only helper nearby is barred
            Beneficiary(3, OTHER_TOWN_V),
            Beneficiary(4, OTHER_TOWN_V),  # one helper there, for 3 or 4
        ),
        (Helper(10, V1), Helper(11, OTHER_TOWN_V)),
        policy=Policy(max_distance=Distance.SAME_TOWN),
    )
    result = solve(inst)
    got = {u.beneficiary_id: (u.code, u.text) for u in result.unmatched}
    assert got[1] == (UnmatchedCode.NO_HELPER_IN_RANGE, "允许范围内没有志愿者")
    assert got[2][0] is UnmatchedCode.NEVER_PAIR
    [left] = set(got) & {3, 4}
    assert got[left] == (UnmatchedCode.ALL_FULL, "附近的志愿者都已满额")


def test_a_programme_can_bring_its_own_words():
    labels = Labels(
        distance={**Labels().distance, Distance.SAME_VILLAGE: "本村岗位"},
        skills={"电工": ("电工", "electrician")},
        needs={"electrician_job": ("电工岗位", "electrician vacancy")},
    )
    policy = Policy(match_table={"电工": {"electrician_job"}}, skill_bonus=10)
    inst = Instance((Beneficiary("parent-1", V1, needs={"electrician_job"}),), (Helper("job-9", V1, skills={"电工"}),))
    inst = Instance(inst.beneficiaries, inst.helpers, policy=policy)
    [p] = solve(inst, labels).proposals
    assert p.reason_text == (
        "本村岗位",
        "电工 ↔ 电工岗位",
    )


def test_weights_that_overflow_64_bits_are_refused_not_wrapped():
    huge = {d: 10**15 * (5 - int(d)) for d in Distance}
    inst = Instance(
        tuple(Beneficiary(k, V1, wanted=3) for k in range(50)),
        tuple(Helper(100 + k, OTHER_TOWN_V, capacity=3) for k in range(50)),
        policy=Policy(max_distance=Distance.SAME_COUNTY, distance_costs=huge),
    )
    with pytest.raises(EngineError, match="split"):
        solve(inst)


def test_policy_refuses_costs_that_fall_with_distance():
    with pytest.raises(ValueError, match="distance_costs"):
        Policy(distance_costs={d: int(d) for d in Distance})  # village dearer than anywhere


def test_partition_splits_by_county_and_a_wide_team_glues_its_counties():
    policy = Policy(mode=Mode.TEAMS, max_distance=Distance.SAME_COUNTY)
    bens = (Beneficiary(1, V1), Beneficiary(2, OTHER_COUNTY_V))
    helpers = (Helper(10, V1), Helper(11, OTHER_COUNTY_V))
    assert len(partition(Instance(bens, helpers, policy=policy))) == 2
    wide = Team("city-team", members=frozenset(), location=("14", "1405"), capacity=1)
    glued = partition(Instance(bens, helpers, (wide,), policy))
    assert len(glued) == 1
    assert solve_split(Instance(bens, helpers, (wide,), policy), processes=2).stats.covered == 2


def test_greedy_baseline_can_be_beaten():
    # greedy gives child 1 the nearest helper, the only one child 2 may have
    inst = Instance(
        (Beneficiary(1, V1), Beneficiary(2, V1, never=frozenset({11}))),
        (Helper(10, V1), Helper(11, V2)),
        policy=Policy(max_distance=Distance.SAME_TOWN),
    )
    assert pairs(greedy(inst)) == [(1, 10)]
    assert pairs(solve(inst)) == [(1, 11), (2, 10)]


def test_when_helpers_are_short_the_highest_priority_is_covered_and_the_words_say_why():
    # ten children, five helpers in two villages of one town: who is left out is no tie any more
    prio = {1: 0, 2: 0, 3: 40, 4: 0, 5: 12, 6: 0, 7: 40, 8: 3, 9: 0, 10: 25}
    bens = tuple(
        Beneficiary(k, V1 if k % 2 else V2, priority=p, priority_notes=(f"优先级 {p}",) if p else ())
        for k, p in prio.items()
    )
    helpers = tuple(Helper(20 + k, V1 if k % 2 else V2) for k in range(5))
    result = solve(Instance(bens, helpers, policy=Policy(max_distance=Distance.SAME_TOWN)))
    assert {p.beneficiary_id for p in result.proposals} == {3, 7, 10, 5, 8}
    assert result.stats.priority_covered == 40 + 40 + 25 + 12 + 3
    first = next(p for p in result.proposals if p.beneficiary_id == 3)
    assert first.reasons[0].code is ReasonCode.PRIORITY and first.reason_text[0] == "优先级 40"
    left = {u.beneficiary_id: u for u in result.unmatched}
    assert set(left) == {1, 2, 4, 6, 9}
    assert left[1].code is UnmatchedCode.OUTRANKED
    assert left[1].text.startswith("附近的志愿者都已满额，先给了更需要关爱的儿童")


def test_a_child_left_out_hears_her_own_priority_notes():
    inst = Instance(
        (Beneficiary(1, V1, priority=5, priority_notes=("已等待 30 天",)), Beneficiary(2, V1, priority=9)),
        (Helper(10, V1),),
        policy=Policy(max_distance=Distance.SAME_VILLAGE),
    )
    [u] = solve(inst).unmatched
    assert (u.beneficiary_id, u.priority) == (1, 5)
    assert u.text.endswith("（已等待 30 天）")


def test_a_helper_naming_a_team_by_team_id_bars_it_through_the_never_list():
    # helper 11 is not listed in the team's members but names it by team_id: she is a member
    # for everything, the never-list included (one definition: prepare.team_members)
    team = Team("t1", members=frozenset({10}), location=TOWN, capacity=3)
    helpers = (Helper(10, V1, team_id="t1"), Helper(11, V1, team_id="t1", skills={"教师"}))
    barred = Instance((Beneficiary(1, V1, never=frozenset({11})),), helpers, (team,), Policy(mode=Mode.TEAMS))
    assert solve(barred).proposals == ()
    assert solve(barred).unmatched[0].code is UnmatchedCode.NEVER_PAIR
    open_ = Instance((Beneficiary(1, V1, needs={"study"}),), helpers, (team,), Policy(mode=Mode.TEAMS))
    [p] = solve(open_).proposals
    assert p.team_id == "t1" and "教师 ↔ 学业需求" in p.reason_text  # her skills count
    from pairing.engine.prepare import team_members

    assert team_members(barred) == {"t1": frozenset({10, 11})}
    assert len(partition(barred)) == 1
