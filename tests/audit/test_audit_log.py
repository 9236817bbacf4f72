"""The audit log: staff review their region's events; nobody can change them."""

import pytest
from django.urls import reverse

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, common_region_code
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
URL = reverse("audit-event-list")


def _event(region_code, action="view"):
    return audit_record(
        actor=None, action=action, object_type="children.child", object_ids=[1], region_code=region_code
    )


def test_staff_list_the_events_of_their_region_only(client, qinshui_officer):
    mine = _event("140521100001")
    county = _event("140521")
    _event("140525100001")
    _event("1405")  # a city-wide list is not the county's to review
    client.force_login(qinshui_officer)
    ids = {row["id"] for row in client.get(URL).json()["results"]}
    assert ids == {mine.pk, county.pk}


def test_filter_by_record_and_action(client, qinshui_officer):
    wanted = audit_record(
        actor=None, action="reveal", object_type="children.child", object_ids=[7], region_code="140521"
    )
    _event("140521", action="list")
    client.force_login(qinshui_officer)
    rows = client.get(URL, {"object_id": "7", "action": "reveal"}).json()["results"]
    assert [r["id"] for r in rows] == [wanted.pk]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_cannot_change_the_log(client, regions, method):
    event = _event("140521")
    client.force_login(SuperuserFactory())
    assert getattr(client, method)(URL, {}, content_type="application/json").status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).region_code == "140521"


def test_not_even_a_superuser_can_change_or_delete_an_event_in_the_admin(client, regions):
    event = _event("140521")
    client.force_login(SuperuserFactory())
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # view only
    client.post(change, {"detail": "tampered"})
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.detail == "" and AuditEvent.objects.filter(pk=event.pk).exists()


def test_common_region_code_is_the_smallest_region_holding_all():
    assert common_region_code(["140521100001", "140521100002"]) == "140521100"
    assert common_region_code(["140521100001", "140525100001"]) == "1405"
    assert common_region_code(["140521100001"]) == "140521100001"
    assert common_region_code([]) == ""


def test_the_recorded_address_is_the_one_our_proxy_saw_not_the_clients_claim(rf, settings):
    """A client can put anything first in X-Forwarded-For; the audit log keeps the proxy's entry."""
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    event = audit_record(
        actor=None, action="view", object_type="children.child", object_ids=[1], region_code="1405", request=forged
    )
    assert event.ip_address == "203.0.113.7"
    garbage = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="127.0.0.1")
    event = audit_record(
        actor=None, action="view", object_type="children.child", object_ids=[1], region_code="1405", request=garbage
    )
    assert event.ip_address is None


def test_audit_rows_never_hold_an_id_number_or_a_phone_number(client, qinshui_officer):
    from tests.children.factories import ChildFactory

    child = ChildFactory()
    client.force_login(qinshui_officer)
    # given: a search by the full ID number and a phone in another parameter
    client.get("/api/children/", {"id_number": child.id_number, "note": "13912345678", "category": "left_behind"})
    event = AuditEvent.objects.filter(action="list").latest("id")
    # then: the search is recorded, the numbers are not
    assert child.id_number not in event.path and "13912345678" not in event.path
    assert "id_number=%5Bredacted%5D" in event.path or "id_number=[redacted]" in event.path
    assert "category=left_behind" in event.path
