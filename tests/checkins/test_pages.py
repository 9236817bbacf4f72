"""The volunteer's phone pages without JavaScript: sign in with an SMS code, her children, three-tap check-in."""

import re

import pytest

from backend.checkins.models import CheckIn
from backend.children.models import Concern
from notifications.models import Message
from tests.checkins.factories import ContactRuleFactory
from tests.factories import outbox_code

pytestmark = pytest.mark.django_db


def _code_sent_to(phone: str) -> str:
    message = Message.objects.filter(recipient=phone).order_by("-id").first()
    return outbox_code(message)


def test_a_volunteer_signs_in_with_her_mobile_and_an_sms_code(client, pairing):
    phone = pairing.volunteer.phone
    assert client.get("/v/").status_code == 302
    sent = client.post("/v/login/", {"phone": phone, "action": "send"})
    assert sent.status_code == 200 and "验证码" in sent.content.decode()
    wrong = client.post("/v/login/", {"phone": phone, "action": "verify", "code": "000000"})
    assert wrong.status_code == 400 and "验证码" in wrong.content.decode()
    ok = client.post("/v/login/", {"phone": phone, "action": "verify", "code": _code_sent_to(phone)})
    assert ok.status_code == 302 and ok["Location"] == "/v/"
    home = client.get("/v/").content.decode()
    assert pairing.child.given_name in home
    assert pairing.child.family_name + pairing.child.given_name not in home  # given name only


def test_an_unknown_number_gets_the_same_answer_and_no_sms(client, regions):
    response = client.post("/v/login/", {"phone": "13700000000", "action": "send"})
    assert response.status_code == 200 and "如果该号码已登记" in response.content.decode()
    assert not Message.objects.exists()


def test_home_shows_what_is_due_next_for_each_child(client, pairing, programme, at):
    from backend.checkins.services import due_refresh

    at("2027-04-05 10:00")
    ContactRuleFactory(programme=programme, name="每月电话或视频")
    due_refresh(today=pairing.started_on.replace(month=4, day=5))
    client.force_login(pairing.volunteer.user)
    page = client.get("/v/").content.decode()
    assert "已逾期" in page and "每月电话或视频" in page and "3月31日" in page


def test_three_taps_child_kind_save_records_a_checkin_for_today(client, pairing, at):
    at("2027-03-10 10:00")
    client.force_login(pairing.volunteer.user)
    # tap 1: the child (from the home page)
    step1 = client.get(f"/v/log/?child={pairing.child.pk}").content.decode()
    assert "电话联系" in step1
    # tap 2: the kind
    step2 = client.get(f"/v/log/?child={pairing.child.pk}&kind=phone_call").content.decode()
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', step2).group(1)
    assert 'value="2027-03-10"' in step2
    # tap 3: save (the form's defaults)
    body = {"child": pairing.child.pk, "kind": "phone_call", "client_key": key, "occurred_on": "2027-03-10"}
    saved = client.post("/v/log/", body)
    assert saved.status_code == 302 and saved["Location"] == "/v/?saved=1"
    client.post("/v/log/", body)  # a double tap records nothing more
    checkin = CheckIn.objects.get()
    assert (checkin.kind, checkin.source, checkin.occurred_on.isoformat()) == ("phone_call", "web", "2027-03-10")


def test_worried_raises_a_concern_and_bad_input_is_shown_by_the_field(client, pairing, at):
    at("2027-03-10 10:00")
    client.force_login(pairing.volunteer.user)
    body = {"child": pairing.child.pk, "kind": "home_visit", "client_key": "abc", "worried": "on", "note": ""}
    missing = client.post("/v/log/", body)
    assert missing.status_code == 400 and "担心" in missing.content.decode()
    body["note"] = "孩子说最近总是一个人在家"
    assert client.post("/v/log/", body).status_code == 302
    assert Concern.objects.get(child=pairing.child).raised_by == pairing.volunteer.user


def test_staff_are_not_shown_the_volunteer_pages(client, qinshui_officer):
    client.force_login(qinshui_officer)
    assert client.get("/v/").status_code == 403
