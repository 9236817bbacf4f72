"""ID numbers and guardian phones are encrypted at rest and never shown in full by default."""

import pytest
from django.db import connection
from django.urls import reverse

from backend.children.api.serializers import VolunteerChildSerializer
from backend.children.models import Child
from backend.children.services import child_create, child_update
from backend.privacy.idnumbers import id_number_hash
from tests.children.factories import ChildFactory, child_values
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_raw_database_row_holds_no_plaintext_id_number_phone_or_address(qinshui_officer):
    # given a child registered through the service
    values = child_values(address_detail="龙港镇柳庄社区3排5号")
    child = child_create(created_by=qinshui_officer, values=values)
    # when the row is read with a plain SQL cursor, as a database dump would
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM children_child WHERE id = %s", [child.pk])
        row = cursor.fetchone()
    raw = " ".join(str(v) for v in row)
    # then neither the ID number, nor the phone, nor the address appears
    assert values["id_number"] not in raw
    assert values["id_number"][6:14] not in raw  # not even the birth-date digits of it
    assert "13912345678" not in raw
    assert "3排5号" not in raw
    # but the keyed hash finds the child by exact number
    assert Child.objects.get(id_number_hash=id_number_hash(values["id_number"])).pk == child.pk


def test_history_rows_hold_no_plaintext_id_number(qinshui_officer):
    child = ChildFactory()
    old = child.id_number
    child_update(child=child, changed_by=qinshui_officer, changes={"guardian_phone": "13800001111"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT old_value, new_value FROM children_childchange WHERE child_id = %s", [child.pk])
        raw = " ".join(" ".join(r) for r in cursor.fetchall())
    assert old not in raw and "13800001111" not in raw and "13912345678" not in raw


def test_detail_shows_the_id_number_masked(client, qinshui_officer):
    child = ChildFactory()
    client.force_login(qinshui_officer)
    body = client.get(reverse("children-api:child-detail", args=[child.pk])).json()
    assert body["id_number_masked"] == child.id_number[:6] + "********" + child.id_number[-4:]
    assert child.id_number not in str(body)


def test_volunteer_view_has_only_what_she_needs(regions):
    child = ChildFactory(given_name="小红")
    data = VolunteerChildSerializer(child).data
    assert data["given_name"] == "小红"
    assert set(data) == {
        "id",
        "given_name",
        "age",
        "gender",
        "school",
        "grade",
        "village_name",
        "needs",
        "needs_note",
        "guardian_phone",
        "address_detail",
    }
    assert data["guardian_phone"] is None and data["address_detail"] is None
    assert child.id_number not in str(data) and child.family_name not in str(data)


def test_volunteer_sees_guardian_phone_and_address_only_if_the_programme_allows(regions):
    child = ChildFactory()
    programme = ProgrammeFactory(volunteer_sees_guardian_phone=True, volunteer_sees_address=False)
    data = VolunteerChildSerializer(child, context={"programme": programme}).data
    assert data["guardian_phone"] == "+8613912345678"
    assert data["address_detail"] is None


def test_town_officer_may_not_reveal_but_county_officer_may_and_is_audited(client, longgang_officer, qinshui_officer):
    from backend.audit.models import AuditEvent

    child = ChildFactory()
    url = reverse("children-api:child-reveal-id", args=[child.pk])
    client.force_login(longgang_officer)
    assert client.post(url).status_code == 403
    client.force_login(qinshui_officer)
    response = client.post(url, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0 test")
    assert response.json()["id_number"] == child.id_number
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.object_ids, event.region_code) == (qinshui_officer, [str(child.pk)], child.village_id)
    assert event.ip_address == "10.1.2.3" and event.user_agent == "Mozilla/5.0 test"


def test_admin_change_page_shows_the_id_masked_and_is_audited(client, qinshui_officer):
    from backend.audit.models import AuditEvent

    child = ChildFactory()
    client.force_login(qinshui_officer)
    page = client.get(reverse("admin:children_child_change", args=[child.pk])).content.decode()
    assert child.id_number_masked in page
    assert child.id_number not in page
    event = AuditEvent.objects.get(action="view")
    assert event.object_ids == [str(child.pk)] and event.detail == "admin"


def test_a_paired_volunteer_sees_the_guardian_phone_only_when_her_programme_allows(client, qinshui_officer):
    from pairing.services import pairing_create
    from tests.volunteers.factories import VolunteerFactory

    # given a programme that lets volunteers call the guardian, but not see the address
    programme = ProgrammeFactory(slug="phones", volunteer_sees_guardian_phone=True, volunteer_sees_address=False)
    child = ChildFactory()
    volunteer = VolunteerFactory(programme=programme)
    pairing_create(programme=programme, child=child, volunteer=volunteer, user=qinshui_officer)
    client.force_login(volunteer.user)
    # when she opens the child's file
    body = client.get(reverse("children-api:child-detail", args=[child.pk])).json()
    # then the phone is there, the address and the ID number are not
    assert body["guardian_phone"] == "+8613912345678"
    assert body["address_detail"] is None
    assert child.id_number not in str(body) and "id_number_masked" not in body
