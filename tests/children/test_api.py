import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.audit.models import AuditEvent
from backend.children.models import Child
from tests.children.factories import ChildFactory, ConcernFactory, child_values, with_bad_check_digit

pytestmark = pytest.mark.django_db
LIST = reverse("children-api:child-list")


def test_create_reports_errors_by_field_in_chinese(client, qinshui_officer):
    client.force_login(qinshui_officer)
    values = child_values(age=13, consent_given_by="", consent_given_on=None)
    values["id_number"] = with_bad_check_digit(values["id_number"])
    body = {**values, "village": "140525100001"}
    response = client.post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert "校验位" in errors["id_number"][0]
    assert "辖区" in errors["village_id"][0]
    assert not Child.objects.exists()


def test_create_with_a_malformed_date_is_a_400_not_a_500(client, qinshui_officer):
    client.force_login(qinshui_officer)
    response = client.post(LIST, {**child_values(), "consent_given_on": "去年"}, content_type="application/json")
    assert response.status_code == 400 and "consent_given_on" in response.json()


def test_duplicate_registration_is_a_409(client, qinshui_officer):
    client.force_login(qinshui_officer)
    values = {**child_values(), "village": "140521100001"}
    assert client.post(LIST, values, content_type="application/json").status_code == 201
    response = client.post(LIST, values, content_type="application/json")
    assert response.status_code == 409 and "id_number" in response.json()


def test_list_filters_and_open_concern_counts(client, qinshui_officer):
    orphan = ChildFactory(category="in_difficulty", difficulty_subtype="orphan", risk_level="high")
    ChildFactory(village_id="140521100002")
    ConcernFactory(child=orphan)
    ConcernFactory(child=orphan, status="closed", closing_note="已转介", closed_at="2026-01-01T00:00:00Z")
    client.force_login(qinshui_officer)
    rows = client.get(LIST, {"category": "in_difficulty"}).json()["results"]
    assert [r["id"] for r in rows] == [orphan.pk]
    assert rows[0]["open_concerns"] == 1
    assert [r["id"] for r in client.get(LIST, {"has_open_concerns": "true"}).json()["results"]] == [orphan.pk]
    assert len(client.get(LIST, {"region": "140521100002"}).json()["results"]) == 1
    by_number = client.get(LIST, {"id_number": orphan.id_number}).json()["results"]
    assert [r["id"] for r in by_number] == [orphan.pk]


def test_list_pages_by_cursor_with_a_constant_number_of_queries(client, qinshui_officer):
    for i in range(25):
        child = ChildFactory(village_id="140521100001" if i % 2 else "140521100002")
        if i % 3 == 0:
            ConcernFactory(child=child)
    client.force_login(qinshui_officer)
    with CaptureQueriesContext(connection) as first:
        page1 = client.get(LIST, {"page_size": 5}).json()
    with CaptureQueriesContext(connection) as second:
        page2 = client.get(page1["next"]).json()
    assert len(page1["results"]) == len(page2["results"]) == 5
    assert {r["id"] for r in page1["results"]}.isdisjoint({r["id"] for r in page2["results"]})
    assert len(first) == len(second)
    with CaptureQueriesContext(connection) as bigger:
        client.get(LIST, {"page_size": 20})
    assert len(bigger) == len(first)


def test_every_list_request_records_the_listed_ids(client, longgang_officer, settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = "1"  # behind one proxy of ours
    children = [ChildFactory() for _ in range(3)]
    client.force_login(longgang_officer)
    client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.9")
    event = AuditEvent.objects.get(action="list")
    assert sorted(event.object_ids) == sorted(str(c.pk) for c in children)
    assert event.region_code == "140521100001"
    assert event.ip_address == "203.0.113.9"


def test_update_exit_and_history_through_the_api(client, liuzhuang_director):
    child = ChildFactory()
    client.force_login(liuzhuang_director)
    url = reverse("children-api:child-detail", args=[child.pk])
    response = client.patch(url, {"risk_level": "high", "volunteers_wanted": 2}, content_type="application/json")
    assert response.status_code == 200 and response.json()["volunteers_wanted"] == 2
    exit_url = reverse("children-api:child-exit", args=[child.pk])
    response = client.post(
        exit_url, {"reason": "turned_18", "exited_on": "2099-01-01"}, content_type="application/json"
    )
    assert response.status_code == 400 and "exited_on" in response.json()
    assert client.post(exit_url, {"reason": "turned_18"}, content_type="application/json").json()["status"] == "exited"
    assert client.patch(url, {"school": "x"}, content_type="application/json").status_code == 400
    history = client.get(reverse("children-api:child-history", args=[child.pk])).json()
    fields = [h["field"] for h in history]
    assert {"risk_level", "volunteers_wanted", "status"} <= set(fields)
    assert all(h["changed_by"] == "liuzhuang" for h in history)


def test_concern_workflow_through_the_api(client, liuzhuang_director, qinshui_officer):
    child = ChildFactory()
    client.force_login(liuzhuang_director)
    raised = client.post(
        reverse("children-api:child-concerns", args=[child.pk]),
        {"severity": "urgent", "category": "abuse", "description": "身上有多处淤青"},
        content_type="application/json",
    ).json()
    client.force_login(qinshui_officer)
    open_ids = [c["id"] for c in client.get(reverse("children-api:concern-list")).json()["results"]]
    assert raised["id"] in open_ids
    close = reverse("children-api:concern-close", args=[raised["id"]])
    assert client.post(close, {"note": ""}, content_type="application/json").status_code == 400
    closed = client.post(close, {"note": "已报告公安并转介县社工站"}, content_type="application/json").json()
    assert closed["status"] == "closed" and closed["closed_by"] == "qinshui"
    assert raised["id"] not in [c["id"] for c in client.get(reverse("children-api:concern-list")).json()["results"]]


def test_children_endpoints_are_in_the_openapi_schema(client, qinshui_officer):
    client.force_login(qinshui_officer)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = set(schema["paths"])
    for path in (
        "/api/children/",
        "/api/children/{id}/",
        "/api/children/{id}/exit/",
        "/api/children/{id}/concerns/",
        "/api/children/{id}/reveal-id/",
        "/api/children/imports/",
        "/api/children/ledger.xlsx",
        "/api/audit/events/",
    ):
        assert path in paths, path


def test_reading_concerns_is_audited_as_a_read_of_the_children(client, qinshui_officer):
    concern = ConcernFactory()
    client.force_login(qinshui_officer)
    client.get(reverse("children-api:concern-list"))
    client.get(reverse("children-api:child-concerns", args=[concern.child_id]))
    events = AuditEvent.objects.filter(detail="concerns").order_by("id")
    assert [(e.action, e.object_ids) for e in events] == [
        ("list", [str(concern.child_id)]),
        ("view", [str(concern.child_id)]),
    ]
