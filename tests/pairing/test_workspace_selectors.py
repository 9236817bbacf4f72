"""Reads the staff workspace shows: a run's figures in words, reasons in words, the approval chain."""

import pytest

from pairing.selectors import pairing_filter, pairing_list, proposal_chain, reason_words, run_figures
from pairing.services import pairing_run_execute, pairing_run_start, proposal_approve

pytestmark = pytest.mark.django_db


def _run(user, programme, code, regions):
    run = pairing_run_start(user=user, programme=programme, region=regions.get(code=code))
    return pairing_run_execute(run_id=run.pk)


def test_a_run_records_the_children_left_out_by_reason(qinshui_officer, programme, make_child, make_volunteer, regions):
    # given: three children in 龙港镇, one volunteer who can take one; a child in 中村镇 beyond reach
    programme.pairing_max_distance = 4  # same town
    programme.save()
    for _ in range(3):
        make_child("140521100001")
    make_child("140521101200")
    make_volunteer("140521100001", capacity=1)
    # when
    run = _run(qinshui_officer, programme, "140521", regions)
    figures = run_figures(run=run)
    # then
    assert figures["left_out"] == 3
    reasons = dict((str(label), n) for label, n in figures["left_out_reasons"])
    assert reasons == {"允许的距离内没有爱心妈妈": 1, "附近的爱心妈妈都已满额": 2}
    rows = dict((str(label), n) for label, n in figures["rows"])
    assert rows["参与计算的儿童"] == 4 and rows["已有爱心妈妈的儿童"] == 1
    assert figures["coverage"] == 25


def test_reasons_read_as_one_line_of_chinese():
    assert reason_words(["同村 / same village", "心理咨询 ↔ 心理关爱需求 / counsellor for psychological need"]) == (
        "同村、心理咨询 ↔ 心理关爱需求"
    )
    assert reason_words([]) == ""


def test_the_chain_shows_where_a_proposal_waits(
    programme, make_child, make_volunteer, regions, longgang_officer, qinshui_officer
):
    programme.approval_levels = [3, 4]
    programme.save()
    make_child()
    make_volunteer()
    proposal = _run(qinshui_officer, programme, "140521", regions).proposals.get()
    chain = proposal_chain(proposal=proposal)
    assert [(str(r["label"]), r["waiting"]) for r in chain] == [("乡镇（街道）", True), ("县（区）", False)]
    proposal_approve(proposal=proposal, user=longgang_officer)
    chain = proposal_chain(proposal=proposal)
    assert chain[0]["approval"].approved_by == longgang_officer
    assert [r["waiting"] for r in chain] == [False, True]
    proposal_approve(proposal=proposal, user=qinshui_officer)
    proposal.refresh_from_db()
    assert not any(r["waiting"] for r in proposal_chain(proposal=proposal))


def test_pairings_filter_by_status_and_village(qinshui_officer, programme, make_child, make_volunteer):
    from pairing.services import pairing_create, pairing_pause

    volunteer = make_volunteer(capacity=3)
    a = pairing_create(programme=programme, child=make_child("140521100001"), volunteer=volunteer, user=qinshui_officer)
    b = pairing_create(programme=programme, child=make_child("140521100002"), volunteer=volunteer, user=qinshui_officer)
    pairing_pause(pairing=b, user=qinshui_officer)
    qs = pairing_list(user=qinshui_officer)
    assert [p.pk for p in pairing_filter(qs, status="paused")] == [b.pk]
    assert [p.pk for p in pairing_filter(qs, region="140521100001")] == [a.pk]
    assert {p.pk for p in pairing_filter(qs, search=volunteer.name)} == {a.pk, b.pk}
