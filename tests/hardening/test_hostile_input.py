"""Hostile input on the public form, the public API and the webhooks.

Each case must get a clear 4xx (never a 5xx) and leave nothing stored that should not be.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import PhoneCode
from backend.volunteers.models import Application
from notifications.models import Message, SmsOptOut
from tests.notifications.conftest import AUTH_TOKEN, twilio_settings
from tests.notifications.standins.twilio_fake import twilio_signature
from tests.volunteers.factories import api_phone_code, application_answers, make_id_number

pytestmark = pytest.mark.django_db

API = "/api/volunteers/applications/"
CODES = "/api/volunteers/phone-codes/"


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A fresh cache per test: rate limits and codes start from zero, the shared Redis is untouched."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def api(programme):
    return APIClient()


def test_oversize_bodies_are_refused_before_parsing(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    big = "王" * (100 * 1024)
    # when
    form = Client().post("/apply/", {"name": big, "action": "submit"})
    json_api = api.post(API, {**application_answers(), "name": big}, format="json")
    # then
    assert form.status_code in (400, 413)  # 413 before reading since issue 15
    assert json_api.status_code in (400, 413)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", "name=王芳"),
        ("application/xml", "<a>1</a>"),
        ("application/json", b'{"name": "\xff\xfe\xfa"}'),  # broken UTF-8
        ("application/json", "{not json"),
        ("application/json", "[]"),
        ("multipart/form-data; boundary=x", "--x\r\nbroken"),
    ],
)
def test_wrong_content_types_and_broken_bodies_are_a_clear_4xx(api, content_type, body):
    response = api.generic("POST", API, body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert not Application.objects.exists()


def test_broken_utf8_in_the_public_form_is_not_a_500(programme):
    response = Client().generic(
        "POST", "/apply/", b"name=%FF%FE&action=submit", content_type="application/x-www-form-urlencoded"
    )
    assert 400 <= response.status_code < 500
    assert not Application.objects.exists()


@pytest.mark.parametrize("name", ["𠮷野家", "㐀丽", "王👩‍👧芳", "欧阳𪚥"])
def test_rare_cjk_and_emoji_names_are_stored_exactly_or_refused_on_the_name(api, name):
    code = api_phone_code(api)
    response = api.post(API, {**application_answers(name=name), "code": code}, format="json")
    if response.status_code == 201:
        assert Application.objects.get().name == name  # four-byte characters survive the round trip
    else:
        assert response.status_code == 400 and "name" in response.json(), response.json()
        assert not Application.objects.exists()


def test_injection_attempts_are_stored_as_text_and_escaped_when_shown(api, qinshui_officer):
    hostile = "<script>alert(1)</script>'); DROP TABLE volunteers_application;--"
    code = api_phone_code(api)
    response = api.post(API, {**application_answers(name=hostile[:50]), "code": code}, format="json")
    assert response.status_code in (201, 400)
    # the table is still there and holds at most this one row
    assert Application.objects.count() <= 1
    if response.status_code == 201:
        application = Application.objects.get()
        client = Client()
        client.force_login(qinshui_officer)
        page = client.get(f"/admin/volunteers/application/{application.pk}/review/")
        assert page.status_code == 200
        assert b"<script>alert(1)</script>" not in page.content
        assert b"&lt;script&gt;" in page.content


def test_sql_in_filters_is_just_a_value(api, qinshui_officer):
    api.force_authenticate(qinshui_officer)
    for value in ("' OR 1=1 --", "140521%' OR '1'='1", "\x00"):
        response = api.get(API, {"region": value, "status": value})
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.json()["count"] == 0


def test_a_replayed_sms_code_is_refused(api):
    code = api_phone_code(api)
    first = api.post(API, {**application_answers(), "code": code}, format="json")
    assert first.status_code == 201, first.json()
    # when: the same code is sent again, for a second application
    second = api.post(API, {**application_answers(id_number=make_id_number()), "code": code}, format="json")
    # then
    assert second.status_code == 400
    assert "code" in second.json()
    assert Application.objects.count() == 1
    assert PhoneCode.objects.filter(used_at__isnull=False).count() == 1


@pytest.fixture
def twilio(settings):
    twilio_settings(settings, "http://127.0.0.1:9")
    settings.PUBLIC_BASE_URL = "https://aixin.example.org"


@pytest.mark.parametrize(
    "signature",
    [
        "forged",
        "",
        twilio_signature(url="https://evil.example.org/webhooks/twilio/inbound/", params={}, auth_token=AUTH_TOKEN),
        twilio_signature(
            url="https://aixin.example.org/webhooks/twilio/inbound/",
            params={"From": "+8613800000001", "Body": "STOP"},
            auth_token="not-the-token",
        ),
    ],
)
def test_forged_twilio_signatures_store_nothing(client, twilio, signature):
    response = client.post(
        "/webhooks/twilio/inbound/", {"From": "+8613800000001", "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_webhooks_refuse_oversize_and_broken_bodies(client, twilio, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024
    big = client.post("/webhooks/twilio/status/", {"MessageSid": "SM" + "x" * 40000, "MessageStatus": "delivered"})
    broken = client.generic(
        "POST", "/webhooks/twilio/status/", b"MessageSid=%FF%FE", content_type="application/x-www-form-urlencoded"
    )
    wechat = client.generic("POST", "/webhooks/wechat/callback/", b"\xff\xfe<xml>", content_type="text/xml")
    for response in (big, broken, wechat):
        assert 400 <= response.status_code < 500


def test_nul_bytes_are_a_400_not_a_500(api, qinshui_officer, programme):
    # Finding: a NUL byte in a filter reached PostgreSQL (DataError, a 500).
    api.force_authenticate(qinshui_officer)
    staff = Client()
    staff.force_login(qinshui_officer)
    responses = [
        api.get(API, {"region": "1405\x00"}),
        api.get("/api/children/", {"q": "王\x00"}),
        staff.get("/admin/volunteers/application/", {"q": "\x00"}),
        Client().post("/apply/", {"name": "王\x00芳", "action": "submit"}),
        APIClient().post(API, {**application_answers(name="王\x00芳"), "code": "123456"}, format="json"),
    ]
    assert [r.status_code for r in responses] == [400] * len(responses)
    assert not Application.objects.exists()


def test_a_forged_x_forwarded_for_does_not_reset_the_phone_code_limit(api, settings):
    # Finding: client_ip trusted the first X-Forwarded-For entry, so a new made-up address
    # per request stepped around every per-address limit (SMS codes, the public form).
    settings.RATE_LIMIT_TRUSTED_PROXIES = "1"
    statuses = []
    for i in range(30):
        response = api.post(
            CODES,
            {"phone": f"1390000{i:04d}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",  # forged first entry, proxy's last
        )
        statuses.append(response.status_code)
    assert 429 in statuses
    assert Message.objects.filter(template="phone_code").count() < 30


def test_a_thousand_deep_json_body_is_a_400_not_a_500(api):
    body = "[" * 1000 + "]" * 1000
    response = api.post("/api/volunteers/applications/", body, content_type="application/json")
    assert response.status_code == 400
    deep = '{"a":' * 40 + "1" + "}" * 40
    assert api.post("/api/volunteers/applications/", deep, content_type="application/json").status_code == 400


def test_nul_bytes_in_json_keys_and_url_paths_are_a_400_not_a_500(regions, qinshui_officer):
    client = APIClient(raise_request_exception=False)
    client.force_login(qinshui_officer)
    response = client.post(
        "/api/pairing/pairings/", '{"child\\u0000": 1, "programme": 1}', content_type="application/json"
    )
    assert response.status_code == 400
    for path in (
        "/staff/r/%00/",
        "/api/dashboard/regions/%00/",
        "/admin/children/child/%00/change/",
        "/api/children/%00/",
    ):
        assert client.get(path).status_code in (400, 404), path


def test_personal_data_responses_are_not_stored_by_caches(regions, qinshui_officer):
    from tests.children.factories import ChildFactory

    child = ChildFactory()
    client = Client()
    client.force_login(qinshui_officer)
    for path in (f"/api/children/{child.pk}/", "/api/children/ledger.xlsx", "/staff/", "/api/children/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_a_30_mb_file_part_to_the_public_form_is_refused_before_it_is_read(programme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.bin", b"\0" * (30 * 1024 * 1024))
    response = Client().post("/apply/", {"name": "王芳", "file": big})
    assert response.status_code == 413
    assert not Application.objects.exists()
