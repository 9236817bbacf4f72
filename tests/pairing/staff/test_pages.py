"""The workspace's pairing pages: runs, proposals (approve, reject, change, bulk), pairings."""

import pytest

from pairing.models import Pairing, PairingRun, Proposal
from pairing.services import pairing_create, pairing_run_execute, pairing_run_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(qinshui_officer, programme, make_child, make_volunteer, regions):
    make_child("140521100001", family_name="张", given_name="小红", needs=["psychological"])
    make_child("140521100002", family_name="李", given_name="小明")
    make_volunteer("140521100001", name="王丽", skills=["psychology"], capacity=1)
    make_volunteer("140521100002", name="陈芳", capacity=1)
    run = pairing_run_start(user=qinshui_officer, programme=programme, region=regions.get(code="140521"))
    run = pairing_run_execute(run_id=run.pk)
    return run


def test_starting_a_run_from_the_page(
    client, qinshui_officer, programme, make_child, django_capture_on_commit_callbacks
):
    make_child()
    client.force_login(qinshui_officer)
    page = client.get("/staff/pairing/")
    assert page.status_code == 200 and "开始计算" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/staff/pairing/", {"programme": programme.pk, "region": "140521"})
    run = PairingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/pairing/runs/{run.pk}/"
    progress = client.get(f"/staff/pairing/runs/{run.pk}/")
    assert 'hx-trigger="every 2s"' in progress.content.decode()


def test_a_run_outside_her_region_is_refused_beside_the_field(client, qinshui_officer, programme):
    client.force_login(qinshui_officer)
    response = client.post("/staff/pairing/", {"programme": programme.pk, "region": "140525"})
    assert response.status_code == 400
    assert 'id="error-region"' in response.content.decode()
    assert not PairingRun.objects.exists()


def test_the_result_page_says_the_figures_in_words(client, qinshui_officer, proposals):
    client.force_login(qinshui_officer)
    html = client.get(f"/staff/pairing/runs/{proposals.pk}/").content.decode()
    assert "覆盖率" in html and "100%" in html
    assert "hx-trigger" not in html
    assert '"covered"' not in html and "{" not in html.split("<main", 1)[1].split("</main>")[0]
    partial = client.get(f"/staff/pairing/runs/{proposals.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "覆盖率" in partial.content.decode()


def test_proposals_show_reasons_in_words_and_approve_creates_the_pairing(client, qinshui_officer, proposals):
    client.force_login(qinshui_officer)
    html = client.get(f"/staff/pairing/proposals/?run={proposals.pk}").content.decode()
    assert "张小红" in html and "同村、心理咨询" in html
    assert "↔ 4" not in html
    proposal = Proposal.objects.get(child__given_name="小红")
    response = client.post(f"/staff/pairing/proposals/{proposal.pk}/approve/", {})
    assert response.status_code == 302
    assert Pairing.objects.get().volunteer.name == "王丽"


def test_reject_needs_a_reason_beside_the_field(client, qinshui_officer, proposals):
    client.force_login(qinshui_officer)
    proposal = Proposal.objects.get(child__given_name="小明")
    response = client.post(f"/staff/pairing/proposals/{proposal.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and 'id="error-reason"' in response.content.decode()
    client.post(f"/staff/pairing/proposals/{proposal.pk}/reject/", {"reason": "家长希望换一位"})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.rejection_reason == "家长希望换一位"


def test_changing_the_volunteer_offers_only_her_regions_volunteers(client, qinshui_officer, proposals, make_volunteer):
    far = make_volunteer("140525100001", name="周敏")
    client.force_login(qinshui_officer)
    proposal = Proposal.objects.get(child__given_name="小明")
    page = client.get(f"/staff/pairing/proposals/{proposal.pk}/").content.decode()
    assert "王丽" in page and "周敏" not in page
    refused = client.post(f"/staff/pairing/proposals/{proposal.pk}/edit/", {"volunteer": far.pk})
    assert refused.status_code == 400
    wang = Proposal.objects.get(child__given_name="小红").volunteer
    client.post(f"/staff/pairing/proposals/{proposal.pk}/edit/", {"volunteer": wang.pk})
    proposal.refresh_from_db()
    assert proposal.volunteer == wang and proposal.edited


def test_bulk_approve_confirms_first(client, qinshui_officer, proposals):
    client.force_login(qinshui_officer)
    ids = list(Proposal.objects.values_list("pk", flat=True))
    confirm = client.post("/staff/pairing/proposals/bulk-approve/", {"ids": ids})
    assert confirm.status_code == 200 and not Pairing.objects.exists()
    client.post("/staff/pairing/proposals/bulk-approve/", {"ids": ids, "confirmed": "on"})
    assert Pairing.objects.count() == 2


def test_the_chain_shows_where_a_proposal_waits(client, qinshui_officer, longgang_officer, programme, proposals):
    programme.approval_levels = [3, 4]
    programme.save()
    proposal = Proposal.objects.get(child__given_name="小红")
    client.force_login(qinshui_officer)
    html = client.get(f"/staff/pairing/proposals/{proposal.pk}/").content.decode()
    assert "乡镇（街道）：<strong>等待审批</strong>" in html
    assert 'id="approve-form"' not in html  # not her level yet
    client.force_login(longgang_officer)
    client.post(f"/staff/pairing/proposals/{proposal.pk}/approve/", {})
    client.force_login(qinshui_officer)
    html = client.get(f"/staff/pairing/proposals/{proposal.pk}/").content.decode()
    assert "县（区）：<strong>等待审批</strong>" in html and 'id="approve-form"' in html


def test_pause_resume_and_end_with_a_confirm_page(client, qinshui_officer, programme, make_child, make_volunteer):
    pairing = pairing_create(programme=programme, child=make_child(), volunteer=make_volunteer(), user=qinshui_officer)
    client.force_login(qinshui_officer)
    client.post(f"/staff/pairing/pairings/{pairing.pk}/pause/")
    assert Pairing.objects.get().status == "paused"
    client.post(f"/staff/pairing/pairings/{pairing.pk}/resume/")
    assert Pairing.objects.get().status == "active"
    data = {"reason": "moved", "note": "随父母迁往太原", "do_not_pair_again": "on"}
    confirm = client.post(f"/staff/pairing/pairings/{pairing.pk}/end/", data)
    assert confirm.status_code == 200 and Pairing.objects.get().status == "active"
    client.post(f"/staff/pairing/pairings/{pairing.pk}/end/", {**data, "confirmed": "1"})
    ended = Pairing.objects.get()
    assert ended.status == "ended" and ended.end_reason == "moved" and ended.do_not_pair_again


def test_ending_without_a_reason_is_a_400_beside_the_field(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    pairing = pairing_create(programme=programme, child=make_child(), volunteer=make_volunteer(), user=qinshui_officer)
    client.force_login(qinshui_officer)
    response = client.post(f"/staff/pairing/pairings/{pairing.pk}/end/", {"reason": ""})
    assert response.status_code == 400 and 'id="error-reason"' in response.content.decode()


def test_manual_pairing_beyond_capacity_needs_an_override_note(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    volunteer = make_volunteer(capacity=1)
    pairing_create(programme=programme, child=make_child(), volunteer=volunteer, user=qinshui_officer)
    child = make_child()
    client.force_login(qinshui_officer)
    data = {"programme": programme.pk, "child": child.pk, "volunteer": volunteer.pk}
    refused = client.post("/staff/pairing/pairings/new/", data)
    assert refused.status_code == 400 and "越过检查的说明" in refused.content.decode()
    done = client.post("/staff/pairing/pairings/new/", {**data, "override_note": "同住一个院子，可以兼顾"})
    assert done.status_code == 302
    assert Pairing.objects.get(child=child).override_note == "同住一个院子，可以兼顾"


def test_pairings_of_another_county_are_404(
    client, zezhou_officer, qinshui_officer, programme, make_child, make_volunteer
):
    pairing = pairing_create(programme=programme, child=make_child(), volunteer=make_volunteer(), user=qinshui_officer)
    client.force_login(zezhou_officer)
    assert client.get(f"/staff/pairing/pairings/{pairing.pk}/").status_code == 404
    assert client.post(f"/staff/pairing/pairings/{pairing.pk}/pause/").status_code == 404
    assert Pairing.objects.get().status == "active"
    assert "pairings" in client.get("/staff/pairing/pairings/").content.decode()


def test_the_exports_are_her_region_only(client, qinshui_officer, proposals):
    client.force_login(qinshui_officer)
    for url in ("/staff/pairing/proposals/export/", "/staff/pairing/pairings/export/"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
