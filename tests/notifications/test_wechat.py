"""WeChat official account: token sharing, error codes, field limits, and the binding flow."""

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from notifications.channels.wechat import access_token, field_cut
from notifications.models import Message, WeChatBinding
from notifications.services import message_deliver, message_to_user, wechat_bind_link
from tests.factories import VolunteerUserFactory

pytestmark = pytest.mark.django_db
REMINDER = {"volunteer": "王丽", "task": "本月请给结对的孩子打一次电话，并记录在平台上", "due": "11月30日"}


@pytest.fixture
def bound_volunteer(fake_wechat):
    user = VolunteerUserFactory()
    WeChatBinding.objects.create(user=user, openid="o-volunteer-1")
    return user


def test_a_volunteer_with_a_binding_gets_a_template_message_with_fields_within_20_characters(
    fake_wechat, bound_volunteer
):
    message = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER, urgent=True)
    assert message.channel == Message.Channel.WECHAT
    result = message_deliver(message_id=message.pk)
    assert result.status == Message.Status.SENT, result.last_error
    sent = fake_wechat.sent[0]
    assert sent["touser"] == "o-volunteer-1"
    assert sent["template_id"] == "TPL-reminder"
    assert all(len(item["value"]) <= 20 for item in sent["data"].values())
    assert sent["data"]["thing1"]["value"].endswith("…")
    assert sent["data"]["time2"]["value"] == "11月30日"


def test_a_volunteer_without_a_binding_gets_an_sms():
    user = VolunteerUserFactory()
    message = message_to_user(user=user, template="notifications.reminder", params=REMINDER)
    assert message.channel == Message.Channel.SMS
    assert message.recipient == user.phone


def test_the_token_is_fetched_once_and_shared_through_the_cache(fake_wechat, bound_volunteer):
    for _ in range(3):
        message = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER, urgent=True)
        message_deliver(message_id=message.pk)
    assert len(fake_wechat.sent) == 3
    assert len(fake_wechat.token_requests) == 1
    assert fake_wechat.token_requests[0]["grant_type"] == "client_credential"
    assert fake_wechat.token_requests[0]["force_refresh"] is False


def test_concurrent_refreshers_fetch_one_token_under_the_lock(fake_wechat):
    tokens = []

    def worker():
        tokens.append(access_token())
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 1
    assert len(fake_wechat.token_requests) == 1


@pytest.mark.parametrize("expired_code", [40001, 42001])
def test_an_invalid_token_is_refreshed_and_the_send_retried_once(fake_wechat, bound_volunteer, expired_code):
    access_token()
    fake_wechat.expire_all_tokens()  # WeChat answers 40001 for a token it no longer knows
    message = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER, urgent=True)
    result = message_deliver(message_id=message.pk)
    assert result.status == Message.Status.SENT
    assert len(fake_wechat.token_requests) == 2
    assert fake_wechat.token_requests[1]["force_refresh"] is True
    assert len(fake_wechat.send_requests) == 2


@pytest.mark.parametrize("code", [43101, 43004])
def test_a_refusing_user_makes_the_binding_unusable_and_the_message_goes_by_sms(fake_wechat, bound_volunteer, code):
    fake_wechat.openid_errors["o-volunteer-1"] = code
    message = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER, urgent=True)
    result = message_deliver(message_id=message.pk)
    binding = WeChatBinding.objects.get(user=bound_volunteer)
    assert not binding.usable
    assert str(code) in binding.unusable_reason
    assert result.channel == Message.Channel.SMS
    assert result.recipient == bound_volunteer.phone
    assert result.status == Message.Status.PENDING
    assert message_deliver(message_id=result.pk).status == Message.Status.SENT  # local SMS outbox
    # and the next message goes straight to SMS
    nxt = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER)
    assert nxt.channel == Message.Channel.SMS


def test_field_cut_keeps_short_values_and_marks_cuts():
    assert field_cut("短") == "短"
    assert field_cut("一" * 20) == "一" * 20
    assert field_cut("一" * 21) == "一" * 19 + "…"


def test_binding_flow_stores_the_openid_for_the_user_named_in_the_link(client, fake_wechat, settings):
    settings.PUBLIC_BASE_URL = "https://aixin.example.org"
    settings.WECHAT_OAUTH_BASE_URL = "https://open.weixin.qq.com"
    user = VolunteerUserFactory()
    link = wechat_bind_link(user=user)
    # when: she opens the link in WeChat
    response = client.get(link.removeprefix("https://aixin.example.org"))
    # then: she is sent to WeChat's OAuth with snsapi_base and our callback
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert target.netloc == "open.weixin.qq.com" and target.path == "/connect/oauth2/authorize"
    assert query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == ["https://aixin.example.org/webhooks/wechat/callback/"]
    # when: WeChat sends her back with a code
    fake_wechat.codes["CODE123"] = "o-new-openid"
    done = client.get("/webhooks/wechat/callback/", {"code": "CODE123", "state": query["state"][0]})
    assert done.status_code == 200
    assert "绑定成功" in done.content.decode()
    assert WeChatBinding.objects.get(user=user).openid == "o-new-openid"


def test_a_forged_binding_token_is_refused(client, fake_wechat):
    fake_wechat.codes["CODE9"] = "o-attacker"
    response = client.get("/webhooks/wechat/callback/", {"code": "CODE9", "state": "forged:token"})
    assert response.status_code == 403
    assert not WeChatBinding.objects.exists()


def test_a_bad_oauth_code_is_a_readable_error(client, fake_wechat):
    user = VolunteerUserFactory()
    state = parse_qs(urlsplit(wechat_bind_link(user=user)).query)["t"][0]
    response = client.get("/webhooks/wechat/callback/", {"code": "nope", "state": state})
    assert response.status_code == 400
    assert "微信授权失败" in response.content.decode()


def test_a_signed_in_volunteer_can_bind_without_a_link_token_and_strangers_cannot(client, fake_wechat):
    assert client.get("/webhooks/wechat/bind/").status_code == 403
    user = VolunteerUserFactory()
    client.force_login(user)
    response = client.get("/webhooks/wechat/bind/")
    assert response.status_code == 302
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    fake_wechat.codes["C1"] = "o-signed-in"
    assert client.get("/webhooks/wechat/callback/", {"code": "C1", "state": state}).status_code == 200
    assert WeChatBinding.objects.get(user=user).openid == "o-signed-in"


def test_binding_says_so_when_wechat_is_not_configured(client, settings):
    settings.WECHAT_APP_ID = ""
    user = VolunteerUserFactory()
    response = client.get(wechat_bind_link(user=user).removeprefix(settings.PUBLIC_BASE_URL))
    assert response.status_code == 404
    assert "微信服务未开通" in response.content.decode()


def test_a_signed_in_volunteer_gets_a_friendly_404_not_a_503_when_wechat_is_off(client, settings):
    # given: WeChat is not configured and a volunteer is signed in
    settings.WECHAT_APP_ID = ""
    client.force_login(VolunteerUserFactory())
    # when: she opens the binding page from her phone pages
    response = client.get("/webhooks/wechat/bind/")
    # then: a page in her language that says the feature is off, and no 5xx
    assert response.status_code == 404
    html = response.content.decode()
    assert "微信服务未开通" in html and "短信" in html and "WeChat" not in html
    assert "WECHAT_APP_ID" not in html
    html = client.get("/webhooks/wechat/bind/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "微信服务未开通" not in html and "SMS" in html


def test_a_volunteer_who_prefers_sms_gets_sms_even_with_a_binding(fake_wechat, bound_volunteer):
    WeChatBinding.objects.filter(user=bound_volunteer).update(prefer_wechat=False)
    message = message_to_user(user=bound_volunteer, template="notifications.reminder", params=REMINDER)
    assert message.channel == Message.Channel.SMS
