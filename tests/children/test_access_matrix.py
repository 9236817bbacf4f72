"""Who gets what: every child endpoint and admin page × every role × in/out of region.

A record outside the user's region answers 404 (not 403): the user must not learn it
exists. Volunteers see only children they are paired with; pairings do not exist yet,
so every child is unknown to a volunteer (404).
"""

import io

import pytest
from django.db import transaction
from django.urls import reverse

from backend.audit.models import AuditEvent
from backend.children.models import ImportJob
from backend.children.spreadsheets import template_csv
from backend.regions.models import Region
from tests.children.factories import ChildFactory, ConcernFactory, child_values
from tests.factories import ChildDirectorFactory, StaffFactory, SuperuserFactory, VolunteerUserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "volunteer", "director", "town", "county", "city", "superuser")

# Each user's own child (柳庄社区, 沁水县龙港镇) and a child outside her region.
IN_VILLAGE = "140521100001"
OUT_VILLAGE = {
    "director": "140521101200",  # 中村镇, same county
    "town": "140521101200",
    "county": "140525100001",  # 泽州县
    "city": "140105001001",  # 太原市, another city
    "volunteer": IN_VILLAGE,
    "anonymous": IN_VILLAGE,
    "superuser": None,
}

# endpoint: {role: (status in region, status out of region)}; None = not applicable.
A, V, D, T, C, Y, S = ROLES
MATRIX = {
    "list": {A: (403, 403), V: (200, 200), D: (200, 200), T: (200, 200), C: (200, 200), Y: (200, 200), S: (200, None)},
    "detail": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "create": {
        A: (403, 403),
        V: (403, 403),
        D: (201, 400),
        T: (201, 400),
        C: (201, 400),
        Y: (201, 400),
        S: (201, None),
    },
    "update": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "exit": {A: (403, 403), V: (404, 404), D: (200, 404), T: (200, 404), C: (200, 404), Y: (200, 404), S: (200, None)},
    "history": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "reveal": {
        A: (403, 403),
        V: (404, 404),
        D: (403, 404),
        T: (403, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "concerns": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "concern_raise": {
        A: (403, 403),
        V: (404, 404),
        D: (201, 404),
        T: (201, 404),
        C: (201, 404),
        Y: (201, 404),
        S: (201, None),
    },
    "concern_list": {
        A: (403, 403),
        V: (403, 403),
        D: (200, 200),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    "concern_ack": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "concern_close": {
        A: (403, 403),
        V: (404, 404),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "ledger": {
        A: (403, 403),
        V: (403, 403),
        D: (403, 403),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    "template": {
        A: (403, 403),
        V: (403, 403),
        D: (403, 403),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    "import": {
        A: (403, 403),
        V: (403, 403),
        D: (403, 403),
        T: (202, 202),
        C: (202, 202),
        Y: (202, 202),
        S: (202, None),
    },
    # A job is seen by staff whose region contains its starter's (the "out" job of the city
    # and the superuser is a county officer's, inside theirs).
    "import_job": {
        A: (403, 403),
        V: (403, 403),
        D: (403, 403),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 200),
        S: (200, 200),
    },
    "audit_list": {
        A: (403, 403),
        V: (403, 403),
        D: (403, 403),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    # Admin: anonymous users and volunteers (not is_staff) are sent to the login page.
    "admin_child_list": {
        A: (302, 302),
        V: (302, 302),
        D: (200, 200),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    "admin_child_change": {
        A: (302, 302),
        V: (302, 302),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "admin_child_add": {
        A: (302, 302),
        V: (302, 302),
        D: (403, 403),
        T: (403, 403),
        C: (403, 403),
        Y: (403, 403),
        S: (403, None),
    },
    "admin_child_delete": {
        A: (302, 302),
        V: (302, 302),
        D: (403, 404),
        T: (403, 404),
        C: (403, 404),
        Y: (403, 404),
        S: (403, None),
    },
    "admin_concern_change": {
        A: (302, 302),
        V: (302, 302),
        D: (200, 404),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
    "admin_audit_list": {
        A: (302, 302),
        V: (302, 302),
        D: (403, 403),
        T: (200, 200),
        C: (200, 200),
        Y: (200, 200),
        S: (200, None),
    },
    "admin_audit_change": {
        A: (302, 302),
        V: (302, 302),
        D: (403, 403),
        T: (200, 404),
        C: (200, 404),
        Y: (200, 404),
        S: (200, None),
    },
}


@pytest.fixture
def world(regions):
    # Another city, so the city officer has something outside her region.
    for code, name, level, parent in (
        ("1401", "太原市", 2, "14"),
        ("140105", "小店区", 3, "1401"),
        ("140105001", "坞城街道", 4, "140105"),
        ("140105001001", "坞城社区", 5, "140105001"),
    ):
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "full_name": name, "level": level, "parent_id": parent}
        )
    users = {
        "anonymous": None,
        "volunteer": VolunteerUserFactory(username="mama"),
        "director": ChildDirectorFactory(username="liuzhuang", village_codes=[IN_VILLAGE]),
        "town": StaffFactory(username="longgang", home_region_id="140521100"),
        "county": StaffFactory(username="qinshui", home_region_id="140521"),
        "city": StaffFactory(username="jincheng", home_region_id="1405"),
        "superuser": SuperuserFactory(username="root"),
    }
    children = {"in": ChildFactory(village_id=IN_VILLAGE, given_name="在辖")}
    for village in {v for v in OUT_VILLAGE.values() if v and v != IN_VILLAGE}:
        children[village] = ChildFactory(village_id=village, given_name=f"辖外{village}")
    concerns = {key: ConcernFactory(child=child) for key, child in children.items()}
    return {"users": users, "children": children, "concerns": concerns}


def _target(world, role, where):
    key = "in" if where == "in" or OUT_VILLAGE[role] in (IN_VILLAGE, None) else OUT_VILLAGE[role]
    return world["children"][key], world["concerns"][key]


def _request(client, world, endpoint, role, where):
    user = world["users"][role]
    child, concern = _target(world, role, where)
    other_village = OUT_VILLAGE[role] if where == "out" else IN_VILLAGE
    url = {
        "list": reverse("children-api:child-list"),
        "create": reverse("children-api:child-list"),
        "detail": reverse("children-api:child-detail", args=[child.pk]),
        "update": reverse("children-api:child-detail", args=[child.pk]),
        "exit": reverse("children-api:child-exit", args=[child.pk]),
        "history": reverse("children-api:child-history", args=[child.pk]),
        "reveal": reverse("children-api:child-reveal-id", args=[child.pk]),
        "concerns": reverse("children-api:child-concerns", args=[child.pk]),
        "concern_raise": reverse("children-api:child-concerns", args=[child.pk]),
        "concern_list": reverse("children-api:concern-list"),
        "concern_ack": reverse("children-api:concern-acknowledge", args=[concern.pk]),
        "concern_close": reverse("children-api:concern-close", args=[concern.pk]),
        "ledger": reverse("children-api:ledger"),
        "template": reverse("children-api:import-template-xlsx"),
        "import": reverse("children-api:import-create"),
        "audit_list": reverse("audit-event-list"),
        "admin_child_list": reverse("admin:children_child_changelist"),
        "admin_child_change": reverse("admin:children_child_change", args=[child.pk]),
        "admin_child_add": reverse("admin:children_child_add"),
        "admin_child_delete": reverse("admin:children_child_delete", args=[child.pk]),
        "admin_concern_change": reverse("admin:children_concern_change", args=[concern.pk]),
        "admin_audit_list": reverse("admin:audit_auditevent_changelist"),
    }.get(endpoint)
    if endpoint == "import_job":
        owner = user if where == "in" and user is not None else world["users"]["county"]
        if role == "county" and where == "out":
            owner = world["users"]["city"]
        job = ImportJob.objects.create(created_by=owner, file_name="a.csv", file_format="csv")
        url = reverse("children-api:import-detail", args=[job.pk])
    if endpoint == "admin_audit_change":
        event = AuditEvent.objects.create(
            actor_name="x",
            action="view",
            object_type="children.child",
            object_ids=[child.pk],
            region_code=child.village_id,
        )
        url = reverse("admin:audit_auditevent_change", args=[event.pk])
    if user is not None:
        client.force_login(user)
    if endpoint == "create":
        return client.post(url, {**child_values(), "village": other_village}, content_type="application/json")
    if endpoint == "update":
        return client.patch(url, {"school": "新学校"}, content_type="application/json")
    if endpoint == "exit":
        return client.post(url, {"reason": "moved_away"}, content_type="application/json")
    if endpoint in ("reveal", "concern_ack"):
        return client.post(url)
    if endpoint == "concern_raise":
        return client.post(
            url, {"severity": "high", "category": "neglect", "description": "无人照看"}, content_type="application/json"
        )
    if endpoint == "concern_close":
        return client.post(url, {"note": "已转介社工站"}, content_type="application/json")
    if endpoint == "import":
        upload = io.BytesIO(template_csv())
        upload.name = "children.csv"
        return client.post(url, {"file": upload})
    return client.get(url)


def _check(client, world, endpoint, role, where, expected):
    """Make one request; return a description of what went wrong, or None."""
    response = _request(client, world, endpoint, role, where)
    if response.status_code != expected:
        return f"{endpoint} {role} {where}: expected {expected}, got {response.status_code}"
    child, _concern = _target(world, role, where)
    if endpoint == "list" and expected == 200:
        # Listing never shows a child outside the region, and shows the user's own.
        ids = {row["id"] for row in response.json()["results"]}
        assert (child.pk in ids) == (where == "in" and role != "volunteer"), (endpoint, role, where)
    if endpoint == "concern_list" and expected == 200:
        ids = {row["child"] for row in response.json()["results"]}
        assert (child.pk in ids) == (where == "in"), (endpoint, role, where)
    if endpoint == "audit_list" and expected == 200:
        event = AuditEvent.objects.create(
            actor_name="x",
            action="view",
            object_type="children.child",
            object_ids=[child.pk],
            region_code=child.village_id,
        )
        ids = {row["id"] for row in client.get(reverse("audit-event-list")).json()["results"]}
        assert (event.pk in ids) == (where == "in"), (endpoint, role, where)
    if endpoint == "admin_child_list" and expected == 200:
        assert (child.given_name in response.content.decode()) == (where == "in"), (endpoint, role, where)
    if endpoint == "reveal" and expected == 200:
        assert response.json()["id_number"] == child.id_number
        assert AuditEvent.objects.filter(action="reveal", object_ids=[str(child.pk)]).count() == 1
    if endpoint == "detail" and expected == 200:
        body = response.json()
        assert "id_number" not in body and child.id_number not in str(body)
        assert AuditEvent.objects.filter(action="view", object_ids=[str(child.pk)]).exists()
    return None


# One test per role (the regions load once per test); every request runs in a
# savepoint that is rolled back, so each starts from the same world.
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role):
    failures = []
    checked = 0
    for endpoint, by_role in MATRIX.items():
        for index, where in enumerate(("in", "out")):
            expected = by_role[role][index]
            if expected is None:
                continue
            with transaction.atomic():
                failures.append(_check(client, world, endpoint, role, where, expected))
                transaction.set_rollback(True)
            client.logout()
            checked += 1
    assert [f for f in failures if f] == []
    assert checked >= len(MATRIX)
