import pytest

from backend.checkins.models import CheckIn
from notifications.models import Message

pytestmark = pytest.mark.django_db


def test_staff_log_on_behalf_in_the_admin_and_thank_her(client, pairing, qinshui_officer, at):
    at("2027-03-10 10:00")
    client.force_login(qinshui_officer)
    form = {
        "volunteer": pairing.volunteer.pk,
        "pick_children": [pairing.child.pk],
        "kind": "home_visit",
        "occurred_on": "2027-03-09",
        "note": "和儿童主任一起走访",
    }
    response = client.post("/admin/checkins/checkin/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    checkin = CheckIn.objects.get()
    assert (checkin.source, checkin.logged_by, checkin.children.get()) == ("staff", qinshui_officer, pairing.child)
    listing = client.get("/admin/checkins/checkin/").content.decode()
    assert "入户走访" in listing
    client.post("/admin/checkins/checkin/", {"action": "acknowledge", "_selected_action": [checkin.pk]})
    assert Message.objects.filter(template="checkins.thanks").count() == 1


def test_a_future_date_is_shown_on_the_admin_form(client, pairing, qinshui_officer, at):
    at("2027-03-10 10:00")
    client.force_login(qinshui_officer)
    form = {
        "volunteer": pairing.volunteer.pk,
        "pick_children": [pairing.child.pk],
        "kind": "home_visit",
        "occurred_on": "2027-03-20",
    }
    response = client.post("/admin/checkins/checkin/add/", form)
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_other_counties_do_not_see_the_checkin(client, pairing, zezhou_officer, at):
    from backend.checkins.services import checkin_create

    at("2027-03-10 10:00")
    checkin_create(volunteer=pairing.volunteer, children=[pairing.child], kind="phone_call")
    client.force_login(zezhou_officer)
    assert client.get("/admin/checkins/checkin/").context["cl"].result_count == 0
