"""The activities' pages: a guardian by SMS code, a volunteer for her child, staff on anyone's behalf and at check-in."""

import datetime
import re

import pytest
from django.utils import timezone

from backend.activities import selectors, services
from backend.activities.models import Activity, Attendance, Signup
from backend.audit.models import AuditEvent
from notifications.models import Message
from tests.activities.factories import ActivityFactory, guardian_signup
from tests.factories import outbox_code

pytestmark = pytest.mark.django_db


def _code(phone):
    return outbox_code(Message.objects.filter(recipient=phone).order_by("-id").first())


def test_a_guardian_signs_up_for_a_lecture_with_an_sms_code(client, regions):
    lecture = ActivityFactory(kind=Activity.Kind.LECTURE, capacity_children=0, capacity_guardians=5)
    url = f"/g/activities/{lecture.pk}/signup/"
    page = client.get(url)
    assert page.status_code == 200 and lecture.title in page.content.decode()
    # given: the code is sent to any number (nothing tells whether it is known)
    sent = client.post(url, {"action": "send_code", "phone": "13912345678"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    wrong = client.post(url, {"action": "verify", "phone": "13912345678", "code": "000000"})
    assert wrong.status_code == 400 and 'id="error-code"' in wrong.content.decode()
    ok = client.post(url, {"action": "verify", "phone": "13912345678", "code": _code("+8613912345678")})
    assert ok.status_code == 302
    # when
    done = client.post(url, {"action": "submit", "who": "guardian", "person_name": "李秀英"})
    # then
    assert done.status_code == 302 and "/g/s/" in done["Location"]
    signup = Signup.objects.get(activity=lecture)
    assert (signup.status, signup.phone, signup.channel) == ("confirmed", "+8613912345678", "guardian")
    confirmation = client.get(done["Location"])
    assert "data:image/svg+xml" in confirmation.content.decode()  # the QR code for check-in
    assert confirmation["Cache-Control"].startswith("max-age=0") or "no-store" in confirmation["Cache-Control"]
    assert Message.objects.filter(template="activities.confirmed", recipient="+8613912345678").exists()


def test_submitting_without_a_verified_phone_is_refused(client, regions):
    lecture = ActivityFactory(kind=Activity.Kind.LECTURE)
    response = client.post(f"/g/activities/{lecture.pk}/signup/", {"action": "submit", "person_name": "李"})
    assert response.status_code == 400 and not Signup.objects.exists()


def test_a_guardian_signs_her_own_child_up_for_a_camp_with_consent(client, regions):
    from tests.children.factories import ChildFactory

    camp = ActivityFactory(kind=Activity.Kind.CAMP, capacity_guardians=0, capacity_children=5)
    child = ChildFactory(guardian_phone="13912340000")
    ChildFactory(guardian_phone="13900000001")  # another family's
    url = f"/g/activities/{camp.pk}/signup/"
    client.post(url, {"action": "send_code", "phone": "13912340000"})
    client.post(url, {"action": "verify", "phone": "13912340000", "code": _code("+8613912340000")})
    page = client.get(url).content.decode()
    assert child.given_name in page and child.family_name + child.given_name not in page
    refused = client.post(url, {"action": "submit", "who": "child", "child": child.pk, "person_name": "王奶奶"})
    assert refused.status_code == 400 and 'id="error-consent"' in refused.content.decode()
    done = client.post(
        url, {"action": "submit", "who": "child", "child": child.pk, "person_name": "王奶奶", "consent": "1"}
    )
    assert done.status_code == 302
    signup = Signup.objects.get(activity=camp)
    assert signup.child == child and signup.consent_by == "王奶奶"


def test_a_volunteer_signs_her_child_up_for_a_camp(client, pairing):
    camp = ActivityFactory(kind=Activity.Kind.CAMP, region_id=pairing.child.village_id[:6])
    client.force_login(pairing.volunteer.user)
    listing = client.get("/v/activities/").content.decode()
    assert camp.title in listing
    page = client.get(f"/v/activities/{camp.pk}/")
    assert pairing.child.given_name in page.content.decode()
    missing = client.post(f"/v/activities/{camp.pk}/", {"who": str(pairing.child.pk)})
    assert missing.status_code == 400 and 'id="error-consent_by"' in missing.content.decode()
    done = client.post(f"/v/activities/{camp.pk}/", {"who": str(pairing.child.pk), "consent_by": "张奶奶"})
    assert done.status_code == 302
    signup = Signup.objects.get(activity=camp)
    assert signup.child == pairing.child and signup.signed_up_by == pairing.volunteer.user
    # the confirmation goes to her, without the child's name
    message = Message.objects.get(template="activities.confirmed")
    assert message.recipient == pairing.volunteer.phone
    assert pairing.child.given_name not in message.body and pairing.child.family_name not in message.body


def test_a_volunteer_cannot_sign_up_a_child_she_is_not_paired_with(client, pairing):
    from tests.children.factories import ChildFactory

    other = ChildFactory()
    camp = ActivityFactory(kind=Activity.Kind.CAMP)
    client.force_login(pairing.volunteer.user)
    response = client.post(f"/v/activities/{camp.pk}/", {"who": str(other.pk), "consent_by": "某某"})
    assert response.status_code == 400 and not Signup.objects.exists()


def test_staff_sign_a_child_up_and_take_attendance_which_lands_in_her_file(client, pairing, qinshui_officer):
    camp = ActivityFactory(kind=Activity.Kind.CAMP)
    client.force_login(qinshui_officer)
    # when: staff sign the child up on her behalf
    response = client.post(
        f"/staff/activities/{camp.pk}/signup/",
        {"audience": "child", "child": pairing.child.pk, "consent_by": "张奶奶", "consent_relation": "祖母"},
    )
    assert response.status_code == 302
    signup = Signup.objects.get(activity=camp)
    session = camp.sessions.get()
    # and tick her present on the check-in list (htmx)
    checkin = client.get(f"/staff/activities/sessions/{session.pk}/")
    assert checkin.status_code == 200 and pairing.child.given_name in checkin.content.decode()
    tick = client.post(
        f"/staff/activities/sessions/{session.pk}/tick/{signup.pk}/", {"present": "1"}, HTTP_HX_REQUEST="true"
    )
    assert tick.status_code == 200 and 'id="head-counts"' in tick.content.decode()
    assert Attendance.objects.filter(session=session, signup=signup).exists()
    # then: her file shows the activity
    file = client.get(f"/staff/children/{pairing.child.pk}/").content.decode()
    assert 'id="file-activities"' in file and camp.title in file


def test_staff_check_in_by_the_confirmations_qr_token(client, regions, qinshui_officer):
    lecture = ActivityFactory(kind=Activity.Kind.LECTURE)
    signup = guardian_signup(lecture, 1)
    session = lecture.sessions.get()
    client.force_login(qinshui_officer)
    token = services.signup_token(signup)
    forged = client.post(f"/staff/activities/sessions/{session.pk}/scan/", {"token": token[:-2] + "xx"})
    assert forged.status_code == 400 and 'id="error-token"' in forged.content.decode()
    ok = client.post(f"/staff/activities/sessions/{session.pk}/scan/", {"token": f"http://x/g/s/{token}/"})
    assert ok.status_code == 302
    assert selectors.session_head_counts(session=session)[1] == {
        "audience": "guardian",
        "label": "监护人",
        "present": 1,
        "confirmed": 1,
    }


def test_activities_out_of_region_answer_404(client, regions, zezhou_officer):
    camp = ActivityFactory(region_id="140521")
    client.force_login(zezhou_officer)
    assert client.get(f"/staff/activities/{camp.pk}/").status_code == 404
    assert client.get(f"/staff/activities/sessions/{camp.sessions.get().pk}/").status_code == 404


def test_staff_create_a_lecture_series_with_errors_beside_fields(client, regions, qinshui_officer):
    client.force_login(qinshui_officer)
    base = {
        "region": "140521",
        "kind": "lecture",
        "title": "隔代教养讲座",
        "place": "县妇联",
        "starts_at": "2027-03-06T09:00",
        "ends_at": "2027-03-06T08:00",
        "repeat_weeks": "4",
        "capacity_children": "0",
        "capacity_guardians": "50",
        "capacity_volunteers": "0",
        "signup_opens_at": "2027-02-01T09:00",
        "signup_closes_at": "2027-03-05T18:00",
        "offer_hours": "24",
    }
    bad = client.post("/staff/activities/new/", base)
    assert bad.status_code == 400 and 'id="error-ends_at"' in bad.content.decode()
    ok = client.post("/staff/activities/new/", {**base, "ends_at": "2027-03-06T11:00"})
    assert ok.status_code == 302
    assert Activity.objects.get().sessions.count() == 4
    refused = client.post("/staff/activities/new/", {**base, "region": "140525", "ends_at": "2027-03-06T11:00"})
    assert refused.status_code == 400  # not her county


def test_wish_lifecycle_on_the_staff_pages(client, pairing, qinshui_officer):
    from tests.volunteers.factories import CaringUnitFactory

    unit = CaringUnitFactory(region_id="140521")
    client.force_login(qinshui_officer)
    created = client.post(
        "/staff/activities/wishes/new/", {"child": pairing.child.pk, "item": "一套课外书", "estimated_value": "80"}
    )
    assert created.status_code == 302
    wish = selectors.wish_list_for(user=qinshui_officer).get()
    assert wish.status == "recorded"
    assert client.post(f"/staff/activities/wishes/{wish.pk}/publish/").status_code == 302
    assert client.post(f"/staff/activities/wishes/{wish.pk}/claim/", {"unit": unit.pk}).status_code == 302
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    bad = client.post(f"/staff/activities/wishes/{wish.pk}/fulfil/", {"fulfilled_on": future})
    assert bad.status_code == 400 and 'id="error-fulfilled_on"' in bad.content.decode()
    assert (
        client.post(
            f"/staff/activities/wishes/{wish.pk}/fulfil/", {"fulfilled_on": timezone.localdate().isoformat()}
        ).status_code
        == 302
    )
    assert client.post(f"/staff/activities/wishes/{wish.pk}/thank/", {"note": "谢谢"}).status_code == 302
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_by_unit, wish.thanks_note) == ("thanked", unit, "谢谢")
    listing = client.get("/staff/activities/wishes/?status=thanked").content.decode()
    assert "一套课外书" in listing and pairing.child.family_name + pairing.child.given_name not in listing
    assert AuditEvent.objects.filter(detail="wishes list").exists()


def test_a_volunteer_records_and_another_claims_a_wish_once(client, pairing, programme):
    from tests.volunteers.factories import VolunteerFactory

    client.force_login(pairing.volunteer.user)
    assert (
        client.post(
            "/v/wishes/new/", {"child": pairing.child.pk, "item": "一双运动鞋", "estimated_value": "120"}
        ).status_code
        == 302
    )
    wish = selectors.wishes_for_volunteer(volunteer=pairing.volunteer).get()
    assert wish.status == "published"
    other = VolunteerFactory(programme=programme)
    client.force_login(other.user)
    page = client.get("/v/wishes/").content.decode()
    assert "一双运动鞋" in page and pairing.child.family_name + pairing.child.given_name not in page
    client.post(f"/v/wishes/{wish.pk}/claim/")
    wish.refresh_from_db()
    assert wish.claimed_by_volunteer == other
    from backend.ops.errors import ServiceError

    with pytest.raises(ServiceError):
        services.wish_claim(wish=wish, volunteer=pairing.volunteer)


def test_a_consultation_is_kept_on_the_childs_file(client, pairing, qinshui_officer):
    client.force_login(qinshui_officer)
    url = f"/staff/activities/children/{pairing.child.pk}/consultation/"
    bad = client.post(
        url, {"held_on": "2027-03-06", "topic": "亲子沟通", "advice": "每周视频", "follow_up_on": "2027-03-01"}
    )
    assert bad.status_code == 400 and 'id="error-follow_up_on"' in bad.content.decode()
    assert client.post(url, {"held_on": "2027-03-06", "topic": "亲子沟通", "advice": "每周视频"}).status_code == 302
    file = client.get(f"/staff/children/{pairing.child.pk}/").content.decode()
    assert "亲子沟通" in file


def test_articles_are_public_and_readable_without_signing_in(client, regions, qinshui_officer):
    client.force_login(qinshui_officer)
    assert (
        client.post(
            "/staff/activities/articles/",
            {"region": "140521", "title": "如何与留守孩子视频", "audience": "left_behind", "body": "每周固定时间"},
        ).status_code
        == 302
    )
    client.logout()
    listing = client.get("/g/articles/")
    assert listing.status_code == 200 and "如何与留守孩子视频" in listing.content.decode()
    pk = re.search(r"/g/articles/(\d+)/", listing.content.decode()).group(1)
    assert "每周固定时间" in client.get(f"/g/articles/{pk}/").content.decode()


def test_the_guardian_page_answers_every_number_alike_and_limits_codes(client, regions):
    from tests.children.factories import ChildFactory

    ChildFactory(guardian_phone="13912340000")  # a number the files know
    lecture = ActivityFactory(kind=Activity.Kind.LECTURE)
    url = f"/g/activities/{lecture.pk}/signup/"
    known = client.post(url, {"action": "send_code", "phone": "13912340000"})
    unknown = client.post(url, {"action": "send_code", "phone": "13912340001"})
    assert known.status_code == unknown.status_code == 200

    def words(response, number):
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return page.replace(number, "N")

    assert words(known, "13912340000") == words(unknown, "13912340001")
    again = client.post(url, {"action": "send_code", "phone": "13912340001"})  # within a minute
    assert again.status_code == 429 and 'id="error-phone"' in again.content.decode()
