"""A new applicant applies on a phone (WeChat-like mobile browser); a county officer approves her."""

import os

import pytest

from backend.volunteers.models import Application, Volunteer
from notifications.models import Message
from tests.factories import TEST_PASSWORD, outbox_code
from tests.screenshots import screenshot
from tests.volunteers.factories import make_id_number

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def _shot(page, name):
    screenshot(page, name, "recruitment")


@pytest.mark.browser
def test_new_applicant_applies_on_a_phone_and_staff_approve_her(live_server, browser, programme, qinshui_officer):
    url = live_server.url
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, user_agent=WECHAT_UA, locale="zh-CN"
    )
    page = phone.new_page()
    page.goto(f"{url}/apply/")
    assert "选任条件" in page.inner_text("#conditions")
    # the page fits a 360 px screen: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "01-form")

    # given: she fills the form, with one slip in her ID number's check digit
    good_id = make_id_number(birth="19820315")
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    page.fill("#id_name", "李秀英")
    page.fill("#id_id_number", bad_id)
    page.click("label[for=id_gender_F]")
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_county", "140521")
    page.wait_for_selector("#id_town option[value='140521100']", state="attached")
    page.select_option("#id_town", "140521100")
    page.wait_for_selector("#id_village option[value='140521100001']", state="attached")
    page.select_option("#id_village", "140521100001")
    page.fill("#id_workplace", "龙港镇中心小学")
    page.fill("#id_occupation", "教师")
    page.click("label[for=id_skills_teaching]")
    page.click("label[for=id_skills_family_education]")
    page.select_option("#id_capacity", "2")
    page.click("label[for=id_availability_weekends]")
    page.click("label[for=id_joins_team_yes]")
    page.fill("#id_motivation", "我也是母亲，想陪伴村里的留守孩子。")
    page.click("label[for=id_declarations_no_criminal_record]")
    page.click("label[for=id_declarations_good_health]")
    page.check("#id_consent")

    # when: she submits, the error appears next to the ID field and nothing she typed is lost
    page.click("#submit")
    page.wait_for_selector("#error-id_number")
    assert "校验位不正确" in page.inner_text("#error-id_number")
    assert page.input_value("#id_name") == "李秀英"
    assert page.input_value("#id_workplace") == "龙港镇中心小学"
    assert page.input_value("#id_village") == "140521100001"
    assert page.is_checked("#id_skills_teaching") and page.is_checked("#id_consent")
    _shot(page, "02-error-next-to-field")

    # she corrects it and verifies her phone with the SMS code
    page.fill("#id_id_number", good_id)
    page.click("#send-code")
    page.wait_for_selector("#notice")
    sms = Message.objects.filter(template="phone_code", recipient="+8613912345678").latest("id")
    code = outbox_code(sms)
    assert page.input_value("#id_id_number") == good_id
    page.fill("#id_code", code)
    page.click("#verify-code")
    page.wait_for_selector("#phone-verified")
    _shot(page, "03-phone-verified")

    # then: she submits and sees her reference number
    page.click("#submit")
    page.wait_for_selector("#reference")
    reference = page.inner_text("#reference").strip()
    application = Application.objects.get()
    assert reference == application.reference
    _shot(page, "04-reference-number")
    phone.close()

    # a county officer reviews and approves her in the admin
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = desk.new_page()
    admin.goto(f"{url}/admin/login/?next=/admin/volunteers/application/")
    admin.fill("#id_username", qinshui_officer.username)
    admin.fill("#id_password", TEST_PASSWORD)
    admin.click("input[type=submit]")
    admin.wait_for_selector(f"text={reference}")
    assert good_id not in admin.content()
    _shot(admin, "05-review-queue")
    admin.click(f"tr:has-text('{reference}') a.review-link")
    admin.wait_for_selector("#review-form")
    for item in ("interview", "training", "references", "declarations"):
        admin.check(f"#check_{item}")
    admin.check("#action_approve")
    _shot(admin, "06-review-page")
    admin.click("#submit-decision")
    admin.wait_for_selector(".messagelist")
    _shot(admin, "07-approved")
    desk.close()

    application.refresh_from_db()
    assert application.status == "approved"
    volunteer = Volunteer.objects.get(application=application)
    assert volunteer.skills == ["family_education", "teaching"] and volunteer.capacity == 2
    assert application.decisions.get().decided_by == qinshui_officer
    assert Message.objects.filter(template="application_approved", recipient="+8613912345678").exists()
