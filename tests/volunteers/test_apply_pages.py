import pytest

from backend.volunteers.models import Application
from notifications.models import Message
from tests.factories import outbox_code
from tests.volunteers.factories import ApplicationFactory, CaringUnitFactory, make_id_number

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def _form(**overrides):
    data = {
        "name": "王芳",
        "gender": "F",
        "id_number": make_id_number(birth="19800101"),
        "phone": PHONE,
        "county": "140521",
        "town": "140521100",
        "village": "140521100001",
        "workplace": "沁水县第一中学",
        "occupation": "教师",
        "skills": ["teaching", "psychology"],
        "capacity": "2",
        "availability": ["weekends"],
        "joins_team": "yes",
        "motivation": "帮助孩子",
        "declarations": ["no_criminal_record", "good_health"],
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def _send_and_read_code(client, data):
    response = client.post("/apply/", {**data, "action": "send_code"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return outbox_code(Message.objects.filter(template="phone_code").latest("id"))


def test_form_shows_selection_conditions_and_counties_without_javascript(client, programme):
    response = client.get("/apply/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "选任条件" in page and "18–65" in page
    assert "本人无违法犯罪记录" in page
    assert 'value="140521"' in page and "沁水县" in page  # counties of the programme's city
    assert "weui.min.css" in page
    assert 'name="viewport"' in page


def test_refresh_button_loads_towns_then_villages(client, programme):
    towns = client.post("/apply/", {"county": "140521", "action": "regions"}).content.decode()
    assert 'value="140521100"' in towns and "龙港镇" in towns
    villages = client.post("/apply/", {"county": "140521", "town": "140521100", "action": "regions"}).content.decode()
    assert 'value="140521100001"' in villages


def test_happy_path_send_code_then_submit_shows_a_reference(client, programme):
    data = _form()
    code = _send_and_read_code(client, data)
    response = client.post("/apply/", {**data, "code": code, "action": "submit"})
    assert response.status_code == 302 and response["Location"] == "/apply/thanks/"
    application = Application.objects.get()
    thanks = client.get("/apply/thanks/").content.decode()
    assert application.reference in thanks
    assert application.skills == ["psychology", "teaching"] and application.joins_team
    assert Message.objects.filter(template="application_received", recipient="+8613800138000").exists()


def test_mistake_is_shown_next_to_its_field_and_input_is_kept(client, programme):
    data = _form(id_number="140521198001010022")  # wrong check digit
    code = _send_and_read_code(client, data)
    response = client.post("/apply/", {**data, "code": code, "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-id_number"' in page and "校验位不正确" in page
    assert 'value="王芳"' in page and 'value="沁水县第一中学"' in page
    assert 'value="140521198001010022"' in page
    assert 'value="140521100001" selected' in page
    assert 'value="teaching" id="id_skills_teaching" checked' in page
    assert not Application.objects.exists()
    # the phone stays verified: correcting the number is enough
    assert 'id="phone-verified"' in page
    fixed = client.post("/apply/", {**_form(), "action": "submit"})
    assert fixed.status_code == 302
    assert Application.objects.count() == 1


def test_submit_without_verifying_the_phone_asks_for_the_code(client, programme):
    response = client.post("/apply/", {**_form(), "action": "submit"})
    assert response.status_code == 400
    assert 'id="error-code"' in response.content.decode()
    assert not Application.objects.exists()


def test_wrong_code_is_reported_on_the_code_field_with_other_errors(client, programme):
    data = _form(consent="")
    code = _send_and_read_code(client, data)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/apply/", {**data, "code": wrong, "action": "submit"}).content.decode()
    assert "验证码不正确" in page and 'id="error-consent"' in page
    assert not Application.objects.exists()


def test_verify_button_marks_the_phone_verified(client, programme):
    data = _form()
    code = _send_and_read_code(client, data)
    page = client.post("/apply/", {**data, "code": code, "action": "verify_code"}).content.decode()
    assert 'id="phone-verified"' in page


def test_verified_number_does_not_cover_another_number(client, programme):
    data = _form()
    code = _send_and_read_code(client, data)
    client.post("/apply/", {**data, "code": code, "action": "verify_code"})
    response = client.post("/apply/", {**_form(phone="13900000000"), "action": "submit"})
    assert response.status_code == 400 and not Application.objects.exists()


def test_invalid_phone_for_code_is_shown_on_the_phone_field(client, programme):
    page = client.post("/apply/", {**_form(phone="12345"), "action": "send_code"}).content.decode()
    assert 'id="error-phone"' in page and "手机号码" in page
    assert not Message.objects.exists()


def test_second_code_within_a_minute_is_refused_with_429(client, programme):
    _send_and_read_code(client, _form())
    response = client.post("/apply/", {**_form(), "action": "send_code"})
    assert response.status_code == 429
    assert "频繁" in response.content.decode()


def test_honeypot_refuses_the_post(client, programme):
    response = client.post("/apply/", {**_form(website="http://spam"), "action": "send_code"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_form_posts_are_rate_limited_per_ip(client, programme, monkeypatch):
    from backend.volunteers import views

    monkeypatch.setattr(views, "POST_LIMIT", ("apply:post:ip", 3, 600))
    codes = [client.post("/apply/", {"action": "regions"}, REMOTE_ADDR="10.7.7.7").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.post("/apply/", {"action": "regions"}, REMOTE_ADDR="10.7.7.8").status_code == 200


def test_status_page_posts_are_rate_limited_per_ip_with_429(client, programme, monkeypatch):
    from backend.volunteers import views

    monkeypatch.setattr(views, "POST_LIMIT", ("apply:post:ip", 2, 600))
    codes = [
        client.post("/apply/status/", {"phone": "abc", "action": "send_code"}, REMOTE_ADDR="10.7.7.9").status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]


def test_duplicate_application_gets_a_clear_message(client, programme):
    number = make_id_number()
    ApplicationFactory(programme=programme, id_number=number)
    data = _form(id_number=number)
    code = _send_and_read_code(client, data)
    page = client.post("/apply/", {**data, "code": code, "action": "submit"}).content.decode()
    assert "已有待审核或已通过的报名" in page
    assert Application.objects.count() == 1


def test_caring_unit_choice_is_kept_and_saved(client, programme):
    unit = CaringUnitFactory(name="沁水县妇幼保健院")
    data = _form(caring_unit=str(unit.pk))
    code = _send_and_read_code(client, data)
    client.post("/apply/", {**data, "code": code, "action": "submit"})
    assert Application.objects.get().caring_unit == unit


@pytest.mark.parametrize(
    "junk",
    [
        {"capacity": "many"},
        {"caring_unit": "abc"},
        {"village": "x" * 40},
        {"skills": ["<script>"]},
        {"id_number": "1" * 200},
        {"action": "unknown"},
    ],
)
def test_junk_input_never_gives_a_500(client, programme, junk):
    response = client.post("/apply/", {**_form(), "action": "submit", **junk})
    assert response.status_code in (200, 400)
    assert not Application.objects.exists()


def test_english_switch_shows_english_labels(client, programme):
    client.post("/i18n/setlang/", {"language": "en", "next": "/apply/"})
    page = client.get("/apply/").content.decode()
    assert "Resident ID number" in page and "居民身份证号" not in page


def test_no_open_programme_gives_a_friendly_404(client, programme):
    programme.recruitment_open = False
    programme.save()
    response = client.get("/apply/")
    assert response.status_code == 404 and "没有正在招募" in response.content.decode()


def test_status_page_shows_the_application_after_sms_verification(client, programme):
    application = ApplicationFactory(programme=programme, phone="+8613800138000")
    client.post("/apply/status/", {"phone": PHONE, "action": "send_code"})
    code = outbox_code(Message.objects.filter(template="phone_code").latest("id"))
    response = client.post("/apply/status/", {"phone": PHONE, "code": code, "action": "verify_code"})
    assert response.status_code == 302
    page = client.get("/apply/status/").content.decode()
    assert application.reference in page and "待审核" in page
    assert application.id_number not in page


def test_status_page_without_a_verified_phone_shows_nothing(client, programme):
    application = ApplicationFactory(programme=programme, phone="+8613800138000")
    page = client.get("/apply/status/").content.decode()
    assert application.reference not in page


def test_applicant_withdraws_from_the_status_page(client, programme):
    application = ApplicationFactory(programme=programme, phone="+8613800138000")
    client.post("/apply/status/", {"phone": PHONE, "action": "send_code"})
    code = outbox_code(Message.objects.filter(template="phone_code").latest("id"))
    client.post("/apply/status/", {"phone": PHONE, "code": code, "action": "verify_code"})
    client.post("/apply/status/", {"reference": application.reference, "action": "withdraw"})
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_applicant_cannot_withdraw_someone_elses_application(client, programme):
    other = ApplicationFactory(programme=programme, phone="+8613900000009")
    ApplicationFactory(programme=programme, phone="+8613800138000")
    client.post("/apply/status/", {"phone": PHONE, "action": "send_code"})
    code = outbox_code(Message.objects.filter(template="phone_code").latest("id"))
    client.post("/apply/status/", {"phone": PHONE, "code": code, "action": "verify_code"})
    response = client.post("/apply/status/", {"reference": other.reference, "action": "withdraw"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "pending"


def test_rejection_reason_and_more_info_request_are_shown(client, programme):
    ApplicationFactory(programme=programme, phone="+8613800138000", status="more_info", staff_message="请补充推荐信")
    client.post("/apply/status/", {"phone": PHONE, "action": "send_code"})
    code = outbox_code(Message.objects.filter(template="phone_code").latest("id"))
    client.post("/apply/status/", {"phone": PHONE, "code": code, "action": "verify_code"})
    page = client.get("/apply/status/").content.decode()
    assert "请补充推荐信" in page
    reference = Application.objects.get().reference
    client.post("/apply/status/", {"reference": reference, "action": "reply", "text": "已补充"})
    assert Application.objects.get().status == "pending"


def test_wrong_status_code_is_shown_on_the_code_field(client, programme):
    client.post("/apply/status/", {"phone": PHONE, "action": "send_code"})
    response = client.post("/apply/status/", {"phone": PHONE, "code": "abcdef", "action": "verify_code"})
    assert response.status_code == 400 and 'id="error-code"' in response.content.decode()
