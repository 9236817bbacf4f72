import datetime

import pytest
from rest_framework.test import APIClient

from backend.checkins.models import CheckIn
from backend.checkins.services import due_refresh
from notifications.models import Message
from tests.checkins.factories import ContactRuleFactory, PairingFactory
from tests.children.factories import ChildFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
URL = "/api/checkins/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_volunteer_logs_through_the_api_and_a_resend_is_not_recorded_twice(pairing, at):
    at("2027-03-10 09:00")
    api = client_for(pairing.volunteer.user)
    body = {"children": [pairing.child.pk], "kind": "video_call", "client_key": "0b5e-uuid", "duration_minutes": 15}
    first = api.post(URL, body, format="json")
    again = api.post(URL, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["source"] == "api" and first.json()["occurred_on"] == "2027-03-10"
    assert CheckIn.objects.count() == 1
    listed = api.get(URL).json()["results"]
    assert [r["id"] for r in listed] == [first.json()["id"]]
    assert listed[0]["children"] == [{"id": pairing.child.pk, "given_name": pairing.child.given_name}]


def test_bad_input_is_a_400_naming_the_field(pairing, at):
    at("2027-03-10 09:00")
    api = client_for(pairing.volunteer.user)
    other = ChildFactory()
    response = api.post(URL, {"children": [other.pk], "kind": "phone_call"}, format="json")
    assert response.status_code == 400 and "children" in str(response.json())
    response = api.post(
        URL, {"children": [pairing.child.pk], "kind": "phone_call", "occurred_on": "2027-04-01"}, format="json"
    )
    assert response.status_code == 400 and "occurred_on" in str(response.json())
    assert not CheckIn.objects.exists()


def test_staff_log_on_behalf_and_acknowledge_only_in_their_area(pairing, qinshui_officer, zezhou_officer, at):
    at("2027-03-10 09:00")
    body = {"children": [pairing.child.pk], "kind": "home_visit", "volunteer": pairing.volunteer.pk}
    assert client_for(zezhou_officer).post(URL, body, format="json").status_code == 400
    created = client_for(qinshui_officer).post(URL, body, format="json")
    assert created.status_code == 201 and created.json()["source"] == "staff"
    pk = created.json()["id"]
    assert client_for(zezhou_officer).post(f"{URL}{pk}/acknowledge/").status_code == 404
    assert client_for(pairing.volunteer.user).post(f"{URL}{pk}/acknowledge/").status_code == 403
    ok = client_for(qinshui_officer).post(f"{URL}{pk}/acknowledge/")
    assert ok.status_code == 200 and ok.json()["acknowledged"] is True
    assert Message.objects.filter(template="checkins.thanks", user=pairing.volunteer.user).count() == 1
    assert client_for(zezhou_officer).get(URL).json()["results"] == []


def test_the_due_list_shows_her_children_and_what_is_next(pairing, programme, qinshui_officer, at):
    at("2027-04-05 09:00")
    ContactRuleFactory(programme=programme, name="每月电话或视频")
    other = PairingFactory(programme=programme, started_on=datetime.date(2027, 3, 20))
    due_refresh(today=datetime.date(2027, 4, 5))
    rows = client_for(pairing.volunteer.user).get(URL + "due/").json()
    assert [(r["child_id"], r["what"], r["next_due_on"], r["overdue"]) for r in rows] == [
        (pairing.child.pk, "每月电话或视频", "2027-03-31", True)
    ]
    staff_view = client_for(qinshui_officer).get(URL + "due/", {"volunteer": other.volunteer.pk}).json()
    assert [r["child_id"] for r in staff_view] == [other.child.pk]
    assert (
        client_for(StaffFactory(username="zz2", home_region_id="140525"))
        .get(URL + "due/", {"volunteer": other.volunteer.pk})
        .status_code
        == 400
    )


def test_the_endpoints_are_in_the_openapi_schema(admin_client):
    schema = admin_client.get("/api/schema/").content.decode()
    for path in ("/api/checkins/", "/api/checkins/{id}/acknowledge/", "/api/checkins/due/"):
        assert path in schema


def test_an_officer_cannot_read_another_countys_check_in_by_its_idempotency_key(regions, programme, at):
    # given: a 泽州县 volunteer's check-in sent by SMS reply (a guessable key)
    at("2027-03-10 09:00")
    zezhou = PairingFactory(programme=programme, child=ChildFactory(village_id="140525100001"))
    zezhou.volunteer.village_id = "140525100001"
    zezhou.volunteer.save(update_fields=["village"])
    key = "sms:1:phone_call:20270310"
    CheckIn.objects.create(
        volunteer=zezhou.volunteer,
        kind="phone_call",
        occurred_on=datetime.date(2027, 3, 10),
        note="孩子说奶奶生病了",
        worried=True,
        client_key=key,
    )
    own = ChildFactory(village_id="140521100001")
    api = client_for(StaffFactory(username="qinshui_c", home_region_id="140521"))
    # when: a 沁水县 officer replays the key with that volunteer's id, and with an id that does not exist
    body = {"children": [own.pk], "kind": "phone_call", "client_key": key}
    elsewhere = api.post(URL, {**body, "volunteer": zezhou.volunteer.pk}, format="json")
    missing = api.post(URL, {**body, "volunteer": 987654}, format="json")
    # then: the same refusal, nothing of the check-in
    assert elsewhere.status_code == missing.status_code == 400
    assert elsewhere.json() == missing.json()
    assert "奶奶" not in elsewhere.content.decode() and zezhou.child.given_name not in elsewhere.content.decode()


def test_a_photo_keeps_only_a_safe_image_extension(pairing, at):
    from django.core.files.uploadedfile import SimpleUploadedFile

    at("2027-03-10 09:00")
    api = client_for(pairing.volunteer.user)
    photo = SimpleUploadedFile("evil.jpg.html", b"\xff\xd8\xff\xe0" + b"\0" * 64, content_type="text/html")
    response = api.post(URL, {"children": [pairing.child.pk], "kind": "home_visit", "photo": photo}, format="multipart")
    assert response.status_code == 201, response.content
    name = CheckIn.objects.get().photo.name
    assert name.endswith(".jpg") and ".html" not in name
