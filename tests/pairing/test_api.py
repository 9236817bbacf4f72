import pytest
from django.urls import reverse

from pairing.models import Pairing, PairingRun, Proposal
from pairing.services import pairing_create
from tests.factories import VolunteerUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(programme, make_child, make_volunteer):
    run = PairingRun.objects.create(programme=programme, region_id="140521", status=PairingRun.Status.DONE)
    return Proposal.objects.create(
        run=run, child=make_child(), volunteer=make_volunteer(), reasons=["同村 / same village"]
    )


def test_officer_lists_and_approves_proposals_of_her_county(client, qinshui_officer, proposal):
    client.force_login(qinshui_officer)
    listed = client.get(reverse("pairing-api:proposal-list"), {"status": "proposed"})
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [proposal.pk]
    assert "id_number" not in str(listed.json())
    response = client.post(
        reverse("pairing-api:proposal-approve", args=[proposal.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert Pairing.objects.filter(child=proposal.child, volunteer=proposal.volunteer).exists()


def test_another_countys_officer_gets_404_and_an_empty_list(client, zezhou_officer, proposal):
    client.force_login(zezhou_officer)
    assert client.get(reverse("pairing-api:proposal-list")).json()["results"] == []
    response = client.post(
        reverse("pairing-api:proposal-approve", args=[proposal.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED


def test_reject_without_reason_is_400_naming_the_field(client, qinshui_officer, proposal):
    client.force_login(qinshui_officer)
    response = client.post(
        reverse("pairing-api:proposal-reject", args=[proposal.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_bulk_approve_reports_each_failure(client, qinshui_officer, proposal, make_child):
    client.force_login(qinshui_officer)
    response = client.post(
        reverse("pairing-api:proposal-bulk-approve"), {"ids": [proposal.pk, 999999]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["approved"] == [proposal.pk]
    assert response.json()["failed"] == [{"id": 999999, "error": "未找到"}]


def test_start_run_validates_the_region_field(client, qinshui_officer, programme):
    client.force_login(qinshui_officer)
    bad = client.post(
        reverse("pairing-api:run-list"), {"programme": programme.pk, "region": "abc"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "region" in bad.json()
    outside = client.post(
        reverse("pairing-api:run-list"),
        {"programme": programme.pk, "region": "140525"},
        content_type="application/json",
    )
    assert outside.status_code == 400 and "region" in outside.json()
    ok = client.post(
        reverse("pairing-api:run-list"),
        {"programme": programme.pk, "region": "140521"},
        content_type="application/json",
    )
    assert ok.status_code == 202
    assert ok.json()["status"] == "queued"
    assert client.get(reverse("pairing-api:run-detail", args=[ok.json()["id"]])).json()["progress"] == 0


def test_manual_pairing_over_the_api_needs_an_override_note_when_full(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    client.force_login(qinshui_officer)
    volunteer = make_volunteer(capacity=1)
    pairing_create(programme=programme, child=make_child(), volunteer=volunteer, user=qinshui_officer)
    child = make_child()
    url = reverse("pairing-api:pairing-list")
    body = {"programme": programme.pk, "child": child.pk, "volunteer": volunteer.pk}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert "volunteer" in refused.json()
    accepted = client.post(url, {**body, "override_note": "姐弟同户"}, content_type="application/json")
    assert accepted.status_code == 201
    assert accepted.json()["override_note"] == "姐弟同户"


def test_a_volunteer_sees_only_her_own_pairings_and_cannot_pair(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    mine = make_volunteer()
    other = make_volunteer()
    own = pairing_create(programme=programme, child=make_child(), volunteer=mine, user=qinshui_officer)
    pairing_create(programme=programme, child=make_child(), volunteer=other, user=qinshui_officer)
    client.force_login(mine.user)
    listed = client.get(reverse("pairing-api:pairing-list")).json()["results"]
    assert [p["id"] for p in listed] == [own.pk]
    assert client.get(reverse("pairing-api:proposal-list")).status_code == 403
    assert client.post(reverse("pairing-api:pairing-list"), {}, content_type="application/json").status_code == 403


def test_end_pairing_with_bad_reason_is_400(client, qinshui_officer, programme, make_child, make_volunteer):
    pairing = pairing_create(programme=programme, child=make_child(), volunteer=make_volunteer(), user=qinshui_officer)
    client.force_login(qinshui_officer)
    url = reverse("pairing-api:pairing-end", args=[pairing.pk])
    assert client.post(url, {"reason": "bored"}, content_type="application/json").status_code == 400
    ok = client.post(url, {"reason": "moved", "do_not_pair_again": True}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "ended"


def test_anonymous_and_volunteer_without_pairings(client, regions):
    assert client.get(reverse("pairing-api:pairing-list")).status_code == 403
    client.force_login(VolunteerUserFactory())
    assert client.get(reverse("pairing-api:pairing-list")).json()["results"] == []


@pytest.mark.parametrize("note", ["", "村里没有别的爱心妈妈"])
def test_an_officer_cannot_pair_her_child_with_another_countys_volunteer(
    client, qinshui_officer, programme, make_child, make_volunteer, note
):
    child = make_child()
    zezhou_volunteer = make_volunteer(village="140525100001", name="泽州妈妈")
    client.force_login(qinshui_officer)
    url = reverse("pairing-api:pairing-list")
    body = {"programme": programme.pk, "child": child.pk, "override_note": note}
    elsewhere = client.post(url, {**body, "volunteer": zezhou_volunteer.pk}, content_type="application/json")
    missing = client.post(url, {**body, "volunteer": 987654}, content_type="application/json")
    assert elsewhere.status_code == missing.status_code == 400
    assert elsewhere.content.decode().replace(str(zezhou_volunteer.pk), "<id>") == missing.content.decode().replace(
        "987654", "<id>"
    )
    assert "泽州妈妈" not in elsewhere.content.decode()
    assert not Pairing.objects.filter(child=child).exists()


def test_a_volunteer_lists_only_her_current_pairings_with_what_the_children_api_shows_her(
    client, programme, make_child, make_volunteer, qinshui_officer
):
    from backend.volunteers.models import Volunteer

    user = VolunteerUserFactory(username="v_mama")
    volunteer = make_volunteer(user=user, capacity=3)
    current = pairing_create(
        programme=programme,
        child=make_child(family_name="赵", needs=["study"]),
        user=qinshui_officer,
        volunteer=volunteer,
    )
    ended = pairing_create(
        programme=programme, child=make_child(), user=qinshui_officer, volunteer=volunteer, override_note=""
    )
    from pairing.services import pairing_end

    pairing_end(pairing=ended, user=qinshui_officer, reason=Pairing.EndReason.MOVED, note="家长投诉")
    client.force_login(user)
    rows = client.get(reverse("pairing-api:pairing-list")).json()["results"]
    assert [r["id"] for r in rows] == [current.pk]
    assert rows[0]["child"]["given_name"] == current.child.given_name
    child = rows[0]["child"]
    assert child["family_name"] == "" and child["needs"] == [] and child["village"] == ""
    assert rows[0]["end_note"] == rows[0]["override_note"] == ""
    assert "赵" not in str(rows) and "家长投诉" not in str(rows)
    assert client.get(reverse("pairing-api:pairing-detail", args=[ended.pk])).status_code == 404
    # A suspended volunteer sees none: her session ends (the volunteer app's middleware).
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.SUSPENDED, status_reason="inactive")
    response = client.get(reverse("pairing-api:pairing-list"))
    assert response.status_code in (401, 403)
    assert "results" not in response.json()
