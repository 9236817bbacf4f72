import pytest

from notifications.models import Message
from tests.factories import VolunteerUserFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db
URL = "/api/notifications/messages/"


@pytest.fixture
def outbox(regions):
    return {
        "qinshui_failed": MessageFactory(region_id="140521", status=Message.Status.FAILED, recipient="+8613800000021"),
        "longgang_sent": MessageFactory(region_id="140521100", status=Message.Status.SENT),
        "zezhou_pending": MessageFactory(region_id="140525"),
        "no_region": MessageFactory(region_id=None),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_staff_see_messages_of_their_region_and_below(client, qinshui_officer, outbox):
    client.force_login(qinshui_officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert ids(response) == {outbox["qinshui_failed"].pk, outbox["longgang_sent"].pk}


def test_superusers_see_everything(client, outbox):
    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory())
    assert ids(client.get(URL)) == {m.pk for m in outbox.values()}


def test_filters_and_pagination(client, city_officer, outbox):
    client.force_login(city_officer)
    assert ids(client.get(URL, {"status": "failed"})) == {outbox["qinshui_failed"].pk}
    assert ids(client.get(URL, {"channel": "wechat"})) == set()
    response = client.get(URL, {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json()
    body = client.get(URL).json()
    assert body["count"] == 3 and "next" in body


def test_recipients_are_masked(client, city_officer, outbox):
    client.force_login(city_officer)
    row = client.get(URL, {"status": "failed"}).json()["results"][0]
    assert row["recipient"] == "+86138****0021"


def test_staff_retry_and_cancel_through_the_api(client, qinshui_officer, outbox):
    client.force_login(qinshui_officer)
    retried = client.post(f"{URL}{outbox['qinshui_failed'].pk}/retry/")
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    # a message that already went out cannot be cancelled: a clear 400 naming the field
    refused = client.post(f"{URL}{outbox['longgang_sent'].pk}/cancel/")
    assert refused.status_code == 400
    assert "status" in refused.json()
    # outside her region: not found
    assert client.post(f"{URL}{outbox['zezhou_pending'].pk}/cancel/").status_code == 404


def test_volunteers_and_anonymous_users_may_not_see_the_outbox(client, outbox):
    assert client.get(URL).status_code in (401, 403)
    client.force_login(VolunteerUserFactory())
    assert client.get(URL).status_code == 403


def test_the_admin_outbox_lists_and_filters_for_staff(client, qinshui_officer, outbox):
    client.force_login(qinshui_officer)
    response = client.get("/admin/notifications/message/", {"status__exact": "failed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "+8613800000021" in page
    cancel = client.post(
        "/admin/notifications/message/",
        {"action": "retry_selected", "_selected_action": [outbox["qinshui_failed"].pk]},
    )
    assert cancel.status_code == 302
    assert Message.objects.get(pk=outbox["qinshui_failed"].pk).status == Message.Status.PENDING
