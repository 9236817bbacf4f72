"""The workspace's volunteer pages: list, profile, suspend, exit (confirmed), messages."""

import pytest

from backend.audit.models import AuditEvent
from backend.volunteers.models import Volunteer
from notifications.models import Message
from pairing.models import Pairing
from pairing.services import pairing_create
from tests.children.factories import ChildFactory
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(programme, qinshui_officer):
    v = VolunteerFactory(programme=programme, name="王丽", skills=["psychology"], capacity=2)
    child = ChildFactory(village_id="140521100001", family_name="张", given_name="小红")
    pairing_create(programme=programme, child=child, volunteer=v, user=qinshui_officer)
    return v


def test_the_list_shows_load_and_skills_in_words(client, qinshui_officer, volunteer):
    VolunteerFactory(programme=volunteer.programme, name="刘芳", village_id="140525100001")
    client.force_login(qinshui_officer)
    html = client.get("/staff/volunteers/").content.decode()
    assert "王丽" in html and "1/2" in html and "心理咨询" in html
    assert "刘芳" not in html


def test_the_profile_shows_her_children_and_audits_the_read(client, qinshui_officer, volunteer):
    client.force_login(qinshui_officer)
    response = client.get(f"/staff/volunteers/{volunteer.pk}/")
    assert response.status_code == 200
    assert "张小红" in response.content.decode()
    event = AuditEvent.objects.get(object_type="child")
    assert event.object_ids == [str(Pairing.objects.get().child_id)]


def test_suspending_needs_a_reason_beside_the_field(client, qinshui_officer, volunteer):
    client.force_login(qinshui_officer)
    response = client.post(f"/staff/volunteers/{volunteer.pk}/status/", {"status": "suspended"})
    assert response.status_code == 200
    assert 'id="error-reason"' in response.content.decode()
    response = client.post(f"/staff/volunteers/{volunteer.pk}/status/", {"status": "suspended", "reason": "inactive"})
    assert response.status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).status == "suspended"


def test_exit_asks_to_confirm_and_then_ends_her_pairings(client, qinshui_officer, volunteer):
    client.force_login(qinshui_officer)
    data = {"status": "ended", "reason": "moved_away", "note": "去外地工作"}
    confirm = client.post(f"/staff/volunteers/{volunteer.pk}/status/", data)
    assert confirm.status_code == 200
    assert "张小红" in confirm.content.decode()
    assert Volunteer.objects.get(pk=volunteer.pk).status == "active"
    done = client.post(f"/staff/volunteers/{volunteer.pk}/status/", {**data, "confirmed": "1"})
    assert done.status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).status == "ended"
    assert Pairing.objects.get().status == "ended"


def test_a_message_goes_through_the_outbox_once(client, qinshui_officer, volunteer):
    client.force_login(qinshui_officer)
    url = f"/staff/volunteers/{volunteer.pk}/message/"
    assert client.post(url, {"template": "volunteer_note_training"}).status_code == 302
    again = client.post(url, {"template": "volunteer_note_training"})
    assert again.status_code == 200 and "今天已给她发送过" in again.content.decode()
    assert Message.objects.filter(template="volunteer_note_training").count() == 1
    assert client.post(url, {"template": "pairing_new_volunteer"}).status_code == 200


def test_another_countys_volunteer_is_404_for_reads_and_writes(client, zezhou_officer, volunteer):
    client.force_login(zezhou_officer)
    assert client.get(f"/staff/volunteers/{volunteer.pk}/").status_code == 404
    response = client.post(f"/staff/volunteers/{volunteer.pk}/status/", {"status": "suspended", "reason": "inactive"})
    assert response.status_code == 404
    assert (
        client.post(f"/staff/volunteers/{volunteer.pk}/message/", {"template": "volunteer_note_thanks"}).status_code
        == 404
    )
    assert Volunteer.objects.get(pk=volunteer.pk).status == "active"
