"""Priority when volunteers are short: the children who need it most come first, in words."""

import datetime

import pytest
from django.utils import timezone

from backend.children.models import Child
from pairing.models import Pairing, PairingRun, RunUnmatched
from pairing.priority import ChildFacts, child_priority
from pairing.selectors import helper_key, pairing_instance
from pairing.services import pairing_create, pairing_end, pairing_run_execute, pairing_run_start
from tests.children.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def _run(user, programme, code, regions) -> PairingRun:
    run = pairing_run_start(user=user, programme=programme, region=regions.get(code=code))
    return pairing_run_execute(run_id=run.pk)


def test_two_children_in_difficulty_and_three_left_behind_with_two_volunteers_the_two_in_difficulty_are_covered(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    # given: the 留守 children are registered first and live nearer the volunteers
    left_behind = [make_child("140521100001") for _ in range(3)]
    in_difficulty = [
        make_child("140521100002", category=Child.Category.IN_DIFFICULTY, difficulty_subtype="poverty")
        for _ in range(2)
    ]
    make_volunteer("140521100001", capacity=1)
    make_volunteer("140521100001", capacity=1)
    # when
    run = _run(qinshui_officer, programme, "140521", regions)
    # then
    assert run.stats["covered"] == 2
    assert {p.child_id for p in run.proposals.all()} == {c.pk for c in in_difficulty}
    assert all(p.reasons[0] == "困境儿童优先" for p in run.proposals.all())
    left = {u.child_id: u for u in RunUnmatched.objects.filter(run=run)}
    assert set(left) == {c.pk for c in left_behind}
    assert all(u.reason.startswith("附近的志愿者都已满额，先给了更需要关爱的儿童") for u in left.values())
    assert run.policy["priority"]["in_difficulty"] == 40


def test_the_unmatched_list_is_scoped_and_highest_priority_first(
    qinshui_officer, zezhou_officer, programme, make_child, make_volunteer, regions, client
):
    make_child("140521100001", risk_level=Child.RiskLevel.HIGH)
    make_child("140521100001")
    run = _run(qinshui_officer, programme, "140521", regions)
    client.force_login(qinshui_officer)
    rows = client.get(f"/api/pairing/unmatched/?run={run.pk}").json()["results"]
    assert [r["priority"] for r in rows] == [25, 0]
    assert rows[0]["reason"] == "允许范围内没有志愿者（高风险）"
    assert client.get("/api/pairing/unmatched/?run=x").status_code == 400
    client.force_login(zezhou_officer)
    assert client.get(f"/api/pairing/unmatched/?run={run.pk}").json()["results"] == []


def test_waiting_counts_from_registration_or_from_the_end_of_the_last_pairing(
    qinshui_officer, programme, make_child, make_volunteer
):
    today = timezone.localdate()
    never_paired = make_child()
    re_pairing = make_child()
    pairing = pairing_create(programme=programme, child=re_pairing, volunteer=make_volunteer(), user=qinshui_officer)
    pairing_end(
        pairing=pairing,
        user=qinshui_officer,
        reason=Pairing.EndReason.SCHOOL_CHANGED,
        ended_on=today + datetime.timedelta(days=100),
    )
    # when: a run 120 days after both were registered
    instance = pairing_instance(programme=programme, region_code="140521", today=today + datetime.timedelta(days=120))
    by_id = {b.id: b for b in instance.beneficiaries}
    # then: 120 days since registration is four months; 20 days since her pairing ended is none
    assert by_id[never_paired.pk].priority_notes == ("已等待 120 天",)
    assert by_id[never_paired.pk].priority == 4 * programme.pairing_priority_per_month_waited
    assert by_id[re_pairing.pk].priority == 0


def test_open_concerns_and_risk_raise_priority_and_closed_concerns_do_not(programme, make_child):
    child = make_child(risk_level=Child.RiskLevel.MEDIUM)
    ConcernFactory(child=child)
    ConcernFactory(child=child)
    ConcernFactory(child=child, status="closed", closing_note="已转介", closed_at=timezone.now())
    [b] = pairing_instance(programme=programme, region_code="140521").beneficiaries
    assert b.priority == 10 + 2 * 10
    assert b.priority_notes == ("中风险", "2 项关注事项待处理")


def test_priority_weights_come_from_the_programme():
    class Weights:
        pairing_priority_in_difficulty = 0
        pairing_priority_risk_medium = 1
        pairing_priority_risk_high = 7
        pairing_priority_per_concern = 5
        pairing_priority_per_month_waited = 1
        pairing_priority_no_adult = 30

    today = datetime.date(2026, 12, 1)
    facts = ChildFacts(
        category=Child.Category.IN_DIFFICULTY,
        risk_level=Child.RiskLevel.HIGH,
        difficulty_subtype=Child.DifficultySubtype.UNSUPPORTED,
        open_concerns=5,
        waiting_since=today - datetime.timedelta(days=3 * 365),
    )
    points, notes = child_priority(programme=Weights, facts=facts, today=today)
    # a zero weight says nothing; concerns count up to three, waiting up to 24 months
    assert points == 7 + 30 + 5 * 3 + 24
    assert notes == ("高风险", "家中无成年人照料", "5 项关注事项待处理", "已等待 1095 天")


def test_ended_pairing_reasons_decide_never_keep_or_neither(qinshui_officer, programme, make_child, make_volunteer):
    effects = {}
    for reason in Pairing.EndReason.values:
        child, volunteer = make_child(), make_volunteer()
        pairing = pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
        pairing_end(pairing=pairing, user=qinshui_officer, reason=reason)
        effects[reason] = (child.pk, helper_key(volunteer.pk))
    by_id = {b.id: b for b in pairing_instance(programme=programme, region_code="140521").beneficiaries}

    def effect(reason):
        child_id, key = effects[reason]
        b = by_id[child_id]
        return "never" if key in b.never else "keep" if key in b.previous_helpers else "neither"

    # the table in docs/pairing.md, "Ended pairings"
    assert {r: effect(r) for r in effects} == {
        "volunteer_exited": "never",
        "moved": "never",
        "mismatch": "never",
        "at_request": "never",
        "family_declined": "never",
        "child_exited": "keep",
        "school_changed": "keep",
        "pause_ended": "keep",
        "other": "neither",
    }
    moved = Pairing.objects.get(end_reason="moved")
    assert moved.do_not_pair_again is True  # the row says it too


def test_a_volunteer_who_moved_is_not_re_proposed_and_one_after_a_school_change_is_with_the_keep_bonus(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    moved_child, school_child = make_child("140521100001"), make_child("140521100002")
    moved = make_volunteer("140521100001")
    kept = make_volunteer("140521100003")
    make_volunteer("140521100001")  # someone else for the child whose volunteer moved
    for child, volunteer in ((moved_child, moved), (school_child, kept)):
        pairing = pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
        reason = Pairing.EndReason.MOVED if volunteer == moved else Pairing.EndReason.SCHOOL_CHANGED
        pairing_end(pairing=pairing, user=qinshui_officer, reason=reason)
    run = _run(qinshui_officer, programme, "140521", regions)
    assert not run.proposals.filter(child=moved_child, volunteer=moved).exists()
    resumed = run.proposals.get(child=school_child)
    assert resumed.volunteer == kept
    assert any("延续原结对" in r for r in resumed.reasons)
