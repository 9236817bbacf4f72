import pytest

from backend.ops.errors import ConflictError, ServiceError
from backend.regions.models import Region
from notifications.models import Message
from pairing.models import Pairing, PairingRun, Proposal
from pairing.selectors import children_awaiting_pairing, pairing_instance, run_part_sizes
from pairing.services import (
    PairingError,
    pairing_create,
    pairing_end,
    pairing_run_execute,
    pairing_run_start,
    pairings_end_for_volunteer,
    proposal_approve,
    proposal_edit,
    proposal_reject,
)
from pairing.tasks import pairing_run_part_task

pytestmark = pytest.mark.django_db


def _run(user, programme, code, regions):
    run = pairing_run_start(user=user, programme=programme, region=regions.get(code=code))
    return pairing_run_execute(run_id=run.pk)


def test_a_county_run_proposes_a_volunteer_for_every_child(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    children = [make_child("140521100001"), make_child("140521100002"), make_child("140521100003")]
    make_volunteer("140521100001", capacity=2)
    make_volunteer("140521100002", capacity=1)
    # when
    run = _run(qinshui_officer, programme, "140521", regions)
    # then
    assert run.status == PairingRun.Status.DONE
    assert run.progress == 100
    assert run.stats["covered"] == 3
    assert {p.child_id for p in run.proposals.all()} == {c.pk for c in children}
    assert all(p.reasons for p in run.proposals.all())


def test_proposal_reasons_say_same_village_and_skill_match(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    make_child("140521100001", needs=["psychological"])
    make_volunteer("140521100001", skills=["psychology"], capacity=1)
    run = _run(qinshui_officer, programme, "140521", regions)
    reasons = run.proposals.get().reasons
    assert any("同村" in r for r in reasons)
    assert any("心理咨询" in r for r in reasons)


def test_run_never_reaches_outside_the_programme_distance(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    programme.pairing_max_distance = 4  # same town
    programme.save()
    make_child("140521101200")  # 中村镇
    make_volunteer("140521100001")  # 龙港镇
    run = _run(qinshui_officer, programme, "140521", regions)
    assert run.proposals.count() == 0
    assert run.stats["covered"] == 0


def test_officer_cannot_start_a_run_outside_her_region(qinshui_officer, programme, regions):
    with pytest.raises(ServiceError) as info:
        pairing_run_start(user=qinshui_officer, programme=programme, region=regions.get(code="140525"))
    assert info.value.field == "region"


def test_a_second_run_over_the_same_area_waits_for_the_first(qinshui_officer, programme, regions):
    pairing_run_start(user=qinshui_officer, programme=programme, region=regions.get(code="140521"))
    with pytest.raises(ConflictError):
        pairing_run_start(user=qinshui_officer, programme=programme, region=regions.get(code="140521100"))


def test_approving_creates_the_pairing_and_texts_the_volunteer_without_the_childs_full_name(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    child = make_child(family_name="欧阳", given_name="小雨")
    volunteer = make_volunteer()
    run = _run(qinshui_officer, programme, "140521", regions)
    proposal = run.proposals.get()
    # when
    proposal_approve(proposal=proposal, user=qinshui_officer)
    # then
    pairing = Pairing.objects.get()
    assert (pairing.child, pairing.volunteer, pairing.status) == (child, volunteer, Pairing.Status.ACTIVE)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    sms = Message.objects.get(recipient=volunteer.phone)
    assert "小雨" in sms.body
    assert "欧阳小雨" not in sms.body
    assert child.id_number not in sms.body


def test_a_decided_proposal_cannot_be_approved_again(qinshui_officer, programme, make_child, make_volunteer, regions):
    make_child()
    make_volunteer()
    proposal = _run(qinshui_officer, programme, "140521", regions).proposals.get()
    proposal_approve(proposal=proposal, user=qinshui_officer)
    with pytest.raises(ConflictError):
        proposal_approve(proposal=proposal, user=qinshui_officer)
    assert Pairing.objects.count() == 1


def test_reject_needs_a_reason(qinshui_officer, programme, make_child, make_volunteer, regions):
    make_child()
    make_volunteer()
    proposal = _run(qinshui_officer, programme, "140521", regions).proposals.get()
    with pytest.raises(ServiceError) as info:
        proposal_reject(proposal=proposal, user=qinshui_officer, reason="  ")
    assert info.value.field == "reason"
    proposal_reject(proposal=proposal, user=qinshui_officer, reason="志愿者近期外出务工")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED


def test_pairing_by_hand_beyond_capacity_needs_an_override_that_is_recorded(
    qinshui_officer, programme, make_child, make_volunteer
):
    volunteer = make_volunteer(capacity=1)
    first, second = make_child(), make_child()
    pairing_create(programme=programme, child=first, volunteer=volunteer, user=qinshui_officer)
    with pytest.raises(PairingError) as info:
        pairing_create(programme=programme, child=second, volunteer=volunteer, user=qinshui_officer)
    assert info.value.code == "capacity"
    assert "满额" in info.value.message
    # when: staff override with a note
    pairing = pairing_create(
        programme=programme, child=second, volunteer=volunteer, user=qinshui_officer, override_note="同一家庭的兄妹"
    )
    assert pairing.override_note == "同一家庭的兄妹"


def test_pairing_by_hand_beyond_the_distance_limit_is_refused_with_a_clear_message(
    qinshui_officer, programme, make_child, make_volunteer
):
    programme.pairing_max_distance = 4
    programme.save()
    child = make_child("140521101200")
    volunteer = make_volunteer("140521100001")
    with pytest.raises(PairingError) as info:
        pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
    assert info.value.code == "distance"
    assert "距离" in info.value.message


def test_an_inactive_volunteer_cannot_be_paired_even_with_override(
    qinshui_officer, programme, make_child, make_volunteer
):
    volunteer = make_volunteer(status="ended", status_reason="moved_away")
    with pytest.raises(PairingError):
        pairing_create(
            programme=programme, child=make_child(), volunteer=volunteer, user=qinshui_officer, override_note="x"
        )


def test_do_not_pair_again_is_honoured_by_the_next_run(qinshui_officer, programme, make_child, make_volunteer, regions):
    child = make_child()
    volunteer = make_volunteer()
    pairing = pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
    pairing_end(pairing=pairing, user=qinshui_officer, reason=Pairing.EndReason.MISMATCH, do_not_pair_again=True)
    # then: flagged for re-pairing, history kept, and never proposed with her again
    flagged = children_awaiting_pairing(region_code="140521").get(pk=child.pk)
    assert flagged.needs_repairing is True
    assert child.pairings.count() == 1
    run = _run(qinshui_officer, programme, "140521", regions)
    assert not run.proposals.filter(volunteer=volunteer).exists()
    with pytest.raises(PairingError) as info:
        pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
    assert info.value.code == "never_pair"


def test_a_child_whose_pairing_ended_appears_in_the_next_run(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    child = make_child()
    first = make_volunteer()
    second = make_volunteer("140521100002")
    pairing_create(programme=programme, child=child, volunteer=first, user=qinshui_officer)
    assert child.pk not in {
        b.id
        for b in pairing_instance(programme=programme, region_code="140521").beneficiaries
        if b.wanted > len(b.existing_helpers)
    }
    pairings_end_for_volunteer(volunteer=first)
    run = _run(qinshui_officer, programme, "140521", regions)
    assert run.proposals.filter(child=child).exists()
    assert {p.volunteer_id for p in run.proposals.filter(child=child)} <= {first.pk, second.pk}


def test_existing_pairings_fill_slots_and_capacity(qinshui_officer, programme, make_child, make_volunteer, regions):
    volunteer = make_volunteer(capacity=2)
    paired = make_child()
    pairing_create(programme=programme, child=paired, volunteer=volunteer, user=qinshui_officer)
    waiting = [make_child(), make_child()]
    run = _run(qinshui_officer, programme, "140521", regions)
    assert not run.proposals.filter(child=paired).exists()
    assert run.proposals.filter(volunteer=volunteer).count() == 1  # one slot left
    assert run.proposals.filter(child__in=waiting).count() == 1


def test_multi_level_approval_goes_village_up_to_county(
    programme, make_child, make_volunteer, regions, longgang_officer, qinshui_officer
):
    programme.approval_levels = [3, 4]  # town reviews, county approves
    programme.save()
    make_child()
    make_volunteer()
    proposal = _run(qinshui_officer, programme, "140521", regions).proposals.get()
    with pytest.raises(ServiceError) as info:
        proposal_approve(proposal=proposal, user=qinshui_officer)
    assert "下一级" in info.value.message
    proposal_approve(proposal=proposal, user=longgang_officer)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED
    assert not Pairing.objects.exists()
    proposal_approve(proposal=proposal, user=qinshui_officer)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert Pairing.objects.count() == 1


def test_edit_swaps_the_volunteer_and_approval_checks_again(
    qinshui_officer, programme, make_child, make_volunteer, regions
):
    make_child()
    original = make_volunteer()
    full = make_volunteer("140521100002", capacity=1)
    pairing_create(programme=programme, child=make_child("140521100002"), volunteer=full, user=qinshui_officer)
    proposal = _run(qinshui_officer, programme, "140521", regions).proposals.get(volunteer=original)
    proposal_edit(proposal=proposal, user=qinshui_officer, volunteer=full)
    proposal.refresh_from_db()
    assert proposal.edited and proposal.volunteer == full
    with pytest.raises(PairingError) as info:
        proposal_approve(proposal=proposal, user=qinshui_officer)
    assert info.value.code == "capacity"


def test_a_newer_run_supersedes_open_proposals(qinshui_officer, programme, make_child, make_volunteer, regions):
    make_child()
    make_volunteer()
    first = _run(qinshui_officer, programme, "140521", regions)
    second = _run(qinshui_officer, programme, "140521", regions)
    assert set(first.proposals.values_list("status", flat=True)) == {Proposal.Status.SUPERSEDED}
    assert set(second.proposals.values_list("status", flat=True)) == {Proposal.Status.PROPOSED}


def test_a_run_hands_its_largest_parts_to_the_workers_first(city_officer, programme, make_child, monkeypatch):
    # given: one child in 沁水 (140521), three in 泽州 (140525)
    make_child("140521100001")
    for village in ("140525100001", "140525100001", "140525100002"):
        make_child(village)
    queued = []
    monkeypatch.setattr(pairing_run_part_task, "delay", lambda part_id: queued.append(part_id))
    run = pairing_run_start(user=city_officer, programme=programme, region=Region.objects.get(code="1405"))
    # when
    pairing_run_execute(run_id=run.pk)
    # then: the larger county first
    codes = dict(run.parts.values_list("id", "region_code"))
    assert [codes[part_id] for part_id in queued] == ["140525", "140521"]
    assert run_part_sizes(programme=programme, region_code="1405") == {"140521": 1, "140525": 3}
