"""The volunteer's phone app beyond the three taps (issue 16): staying signed in, her devices,
sign-in that tells no number apart, her child's page, her record and reminder settings."""

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from backend.accounts.models import DeviceSession, user_agent_words
from backend.audit.models import AuditEvent
from backend.checkins.models import CheckIn
from backend.checkins.services import checkin_create
from backend.ops.errors import ServiceError
from backend.volunteers.models import Volunteer
from backend.volunteers.services import volunteer_status_change
from notifications.models import Message, WeChatBinding
from notifications.services import quiet_hours_until
from pairing.models import Pairing
from tests.checkins.factories import PairingFactory, checkin_for
from tests.children.factories import ChildFactory
from tests.factories import ChildDirectorFactory, StaffFactory, outbox_code
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 12; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20221012 MicroMessenger/8.0.30.2260 "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def _code_sent_to(phone: str) -> str:
    return outbox_code(Message.objects.filter(recipient=phone).latest("id"))


def _sign_in(client: Client, phone: str) -> None:
    client.post("/v/login/", {"phone": phone, "action": "send"})
    response = client.post("/v/login/", {"phone": phone, "action": "verify", "code": _code_sent_to(phone)})
    assert response.status_code == 302


def _normalised(response) -> str:
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'name="phone" value="[^"]*"', "", text)
    return re.sub(r'data-rendered-(at|words)="[^"]*"', "", text)


# --- 15.6: /v/login/ answers every number alike ---------------------------------------------


def test_sign_in_answers_a_volunteers_number_and_any_other_number_identically(regions, pairing):
    volunteer_phone, other_phone = pairing.volunteer.phone, "+8613700000001"
    answers = {}
    for phone in (volunteer_phone, other_phone):
        first = Client().post("/v/login/", {"phone": phone, "action": "send"})
        again = Client().post("/v/login/", {"phone": phone, "action": "send"})  # within the minute
        wrong = Client().post("/v/login/", {"phone": phone, "action": "verify", "code": "000000"})
        answers[phone] = [(r.status_code, _normalised(r)) for r in (first, again, wrong)]
    # the same pages, the same statuses, the same rate limit (429 the second time) for both
    assert answers[volunteer_phone] == answers[other_phone]
    assert [status for status, _page in answers[other_phone]] == [200, 429, 400]
    # but only the volunteer is sent a code
    assert Message.objects.filter(recipient=volunteer_phone).count() == 1
    assert not Message.objects.filter(recipient=other_phone).exists()


# --- staying signed in; her devices --------------------------------------------------------


def test_a_volunteer_stays_signed_in_30_days_sliding_and_staff_keep_the_browser_session(regions, pairing, at):
    at("2027-03-10 10:00")
    client = Client(HTTP_USER_AGENT=WECHAT_UA)
    _sign_in(client, pairing.volunteer.phone)
    cookie = client.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 24 * 3600  # a lasting cookie: reopening the browser keeps her in
    device = DeviceSession.objects.get(user=pairing.volunteer.user)
    assert device.device_words == "微信 · 安卓手机"
    # 20 days later she opens the app: the 30 days start again from then
    at("2027-03-30 10:00")
    assert client.get("/v/").status_code == 200
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.expire_date.date() == datetime.date(2027, 4, 29)

    staff = Client()
    staff.force_login(StaffFactory(username="county", home_region_id="140521"))
    staff.get("/staff/")
    assert not staff.cookies["sessionid"]["max-age"]  # ends when the browser closes


def test_she_sees_her_devices_and_ends_one_which_is_signed_out_at_once(regions, pairing, at):
    phone, other = Client(HTTP_USER_AGENT=WECHAT_UA), Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/120")
    at("2027-03-10 10:00")
    _sign_in(phone, pairing.volunteer.phone)
    at("2027-03-10 10:02")  # one code a minute
    _sign_in(other, pairing.volunteer.phone)
    page = phone.get("/v/devices/").content.decode()
    assert "微信 · 安卓手机" in page and "Chrome · 电脑" in page and "本机" in page
    computer = DeviceSession.objects.get(user_agent__contains="Windows")
    response = phone.post(f"/v/devices/{computer.pk}/end/")
    assert response.status_code == 302
    assert other.get("/v/").status_code == 302  # signed out there
    assert phone.get("/v/").status_code == 200  # not here
    # another volunteer's device is not hers to end
    stranger = DeviceSession.objects.create(
        user=VolunteerFactory().user, session_key="x" * 32, last_seen_at=timezone.now()
    )
    assert phone.post(f"/v/devices/{stranger.pk}/end/").status_code == 404
    assert DeviceSession.objects.filter(pk=stranger.pk).exists()


@pytest.mark.parametrize("status", [Volunteer.Status.SUSPENDED, Volunteer.Status.ENDED])
def test_a_suspended_or_exited_volunteer_is_signed_out_on_every_device_at_once(regions, pairing, status, at):
    devices = [Client(), Client()]
    for minute, client in enumerate(devices):
        at(f"2027-03-10 10:0{2 * minute}")  # one code a minute
        _sign_in(client, pairing.volunteer.phone)
    officer = StaffFactory(username="county", home_region_id="140521")
    volunteer_status_change(volunteer=pairing.volunteer, status=status, by=officer, reason="other", note="x")
    assert not DeviceSession.objects.filter(user=pairing.volunteer.user).exists()
    for client in devices:
        assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
        assert client.get("/v/").status_code == 302
        assert client.get("/api/pairing/pairings/").status_code in (401, 403)


def test_a_session_started_elsewhere_ends_on_its_next_request_once_she_is_suspended(regions, pairing):
    client = Client()
    client.force_login(pairing.volunteer.user)  # a session her device list does not know yet
    Volunteer.objects.filter(pk=pairing.volunteer.pk).update(status=Volunteer.Status.SUSPENDED, status_reason="other")
    assert client.get("/api/checkins/").status_code in (401, 403)
    assert client.get("/v/").status_code == 302


def test_user_agents_are_said_in_words():
    assert user_agent_words("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Mobile Safari/604.1") == (
        "Safari · iPhone"
    )
    assert user_agent_words("") == "浏览器 · 未知设备"


# --- her child's page ------------------------------------------------------------------------


def test_her_childs_page_shows_what_she_needs_to_care_and_is_audited(client, regions, pairing):
    child = pairing.child
    director = ChildDirectorFactory(username="dir", display_name="张主任", phone="+8613911112222")
    director.villages.set([child.village_id])
    checkin_for(pairing, on=datetime.date(2027, 3, 5), kind=CheckIn.Kind.HOME_VISIT)
    client.force_login(pairing.volunteer.user)
    response = client.get(f"/v/c/{child.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    for shown in (child.given_name, child.school, child.village.name, "学业辅导", "入户走访", "3月5日"):
        assert shown in page
    # the programme does not show the guardian's phone: the village's child director instead
    assert "请联系村儿童主任" in page and "张主任" in page and "+8613911112222" in page
    assert child.guardian_phone not in page
    for never in (child.id_number, child.id_number_masked, child.family_name + child.given_name):
        assert never not in page
    event = AuditEvent.objects.filter(object_type="child", action="view").latest("id")
    assert event.object_ids == [str(child.pk)] and event.actor == pairing.volunteer.user


def test_the_guardians_phone_is_shown_only_where_the_programme_allows_it(client, regions, pairing, programme):
    programme.volunteer_sees_guardian_phone = True
    programme.save(update_fields=["volunteer_sees_guardian_phone"])
    client.force_login(pairing.volunteer.user)
    page = client.get(f"/v/c/{pairing.child.pk}/").content.decode()
    assert pairing.child.guardian_phone in page and pairing.child.guardian_name in page
    assert "祖父母/外祖父母" in page


def test_a_child_that_is_not_currently_hers_answers_404_like_a_missing_id(client, regions, pairing, programme):
    client.force_login(pairing.volunteer.user)
    someone_elses = PairingFactory(programme=programme).child
    ended = PairingFactory(programme=programme, volunteer=pairing.volunteer)
    Pairing.objects.filter(pk=ended.pk).update(
        status=Pairing.Status.ENDED, ended_on=datetime.date(2027, 2, 1), end_reason="moved"
    )
    answers = {pk: client.get(f"/v/c/{pk}/") for pk in (someone_elses.pk, ended.child_id, 999999999, ChildFactory().pk)}
    assert {r.status_code for r in answers.values()} == {404}
    assert len({r.content for r in answers.values()}) == 1


# --- an entry whose child was re-paired meanwhile -------------------------------------------


def test_an_entry_for_a_child_re_paired_meanwhile_is_refused_in_words(regions, pairing, programme, at):
    at("2027-03-10 10:00")
    Pairing.objects.filter(pk=pairing.pk).update(
        status=Pairing.Status.ENDED, ended_on=datetime.date(2027, 3, 9), end_reason="moved"
    )
    PairingFactory(programme=programme, child=pairing.child)
    with pytest.raises(ServiceError) as refused:
        checkin_create(volunteer=pairing.volunteer, children=[pairing.child], kind="phone_call", client_key="k1")
    assert refused.value.field == "children" and "已不再与您结对" in refused.value.message
    assert pairing.child.given_name in refused.value.message
    assert not CheckIn.objects.exists()


# --- her record and her reminder settings ---------------------------------------------------


def test_her_record_counts_hours_this_month_and_year_and_visits_and_calls(client, regions, pairing, at):
    at("2027-03-20 10:00")
    for on, kind, minutes in (
        (datetime.date(2027, 3, 2), CheckIn.Kind.HOME_VISIT, 90),
        (datetime.date(2027, 3, 9), CheckIn.Kind.PHONE_CALL, 30),
        (datetime.date(2027, 1, 9), CheckIn.Kind.VIDEO_CALL, 60),
        (datetime.date(2026, 12, 9), CheckIn.Kind.SCHOOL_VISIT, 600),  # last year
    ):
        checkin = checkin_for(pairing, on=on, kind=kind)
        CheckIn.objects.filter(pk=checkin.pk).update(duration_minutes=minutes)
    client.force_login(pairing.volunteer.user)
    page = client.get("/v/me/").content.decode()
    figures = re.findall(r"<strong>([\d.]+)</strong>", page)
    assert figures == ["2.0", "3.0", "1", "2"]  # month hours, year hours, visits, calls


def test_she_sets_sms_or_wechat_and_her_own_quiet_hours_and_the_outbox_keeps_them(
    client, regions, pairing, settings, at
):
    settings.WECHAT_APP_ID = "wx-test"
    user = pairing.volunteer.user
    client.force_login(user)
    page = client.get("/v/me/").content.decode()
    assert "/webhooks/wechat/bind/" in page and 'value="wechat"' not in page  # not bound yet: the link
    refused = client.post("/v/me/", {"channel": "wechat"})
    assert refused.status_code == 400 and "请先绑定微信" in refused.content.decode()
    bad = client.post("/v/me/", {"channel": "sms", "quiet_hours_start": "19:00", "quiet_hours_end": "25:00"})
    assert bad.status_code == 400 and "时间格式不正确" in bad.content.decode()
    WeChatBinding.objects.create(user=user, openid="o-1", prefer_wechat=True)
    saved = client.post("/v/me/", {"channel": "sms", "quiet_hours_start": "19:00", "quiet_hours_end": "22:00"})
    assert saved.status_code == 302
    assert not WeChatBinding.objects.get(user=user).prefer_wechat
    # at 20:00 her reminder waits until 22:00, then until the programme's quiet hours end at 08:00
    at("2027-03-10 20:00")
    until = quiet_hours_until(now=timezone.now(), programme=pairing.programme, user=user)
    assert until == datetime.datetime(2027, 3, 11, 0, 0, tzinfo=datetime.UTC)  # 08:00 Asia/Shanghai
    at("2027-03-11 19:30")
    message = Message.objects.create(
        channel="sms", recipient=user.phone, user=user, body="提醒", next_attempt_at=timezone.now()
    )
    from notifications.services import message_deliver

    held = message_deliver(message_id=message.pk)
    assert held.status == Message.Status.PENDING and held.next_attempt_at == until + datetime.timedelta(days=1)
    # someone else's messages keep the programme's hours only
    at("2027-03-11 20:00")
    assert quiet_hours_until(now=timezone.now(), programme=pairing.programme, user=VolunteerFactory().user) is None


# --- make run ---------------------------------------------------------------------------------


def test_the_local_public_base_url_follows_port():
    code = "import django, os; django.setup(); from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "backend.settings", "PORT": "8100"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8100"
