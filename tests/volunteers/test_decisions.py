import pytest

from backend.ops.errors import ConflictError, ServiceError
from backend.volunteers.models import Application, Decision, Volunteer
from backend.volunteers.services import (
    application_approve,
    application_decide,
    application_reject,
    application_reply,
    application_request_info,
    application_withdraw,
    screening_check_set,
    screening_items_ensure,
)
from notifications.models import Message
from tests.factories import VolunteerUserFactory
from tests.volunteers.factories import ApplicationFactory, TeamFactory

pytestmark = pytest.mark.django_db

ALL_CHECKS = {"interview": True, "training": True, "references": True, "declarations": True}


@pytest.fixture
def application(programme):
    screening_items_ensure(programme=programme)
    return ApplicationFactory(programme=programme, joins_team=True, skills=["law", "teaching"], capacity=3)


def _tick_all(application, by):
    for code in ALL_CHECKS:
        screening_check_set(application=application, item_code=code, done=True, by=by)


def test_approval_creates_the_volunteer_and_her_account(application, qinshui_officer):
    _tick_all(application, qinshui_officer)
    team = TeamFactory(programme=application.programme)
    volunteer = application_approve(application=application, by=qinshui_officer, team=team)
    # then: the volunteer carries what she applied with
    assert volunteer.status == Volunteer.Status.ACTIVE
    assert volunteer.capacity == 3 and volunteer.skills == ["law", "teaching"]
    assert volunteer.village_id == application.village_id
    assert volunteer.team == team
    assert volunteer.id_number == application.id_number
    assert volunteer.user.role == "volunteer" and volunteer.user.phone == application.phone
    assert not volunteer.user.has_usable_password()
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_at
    decision = application.decisions.get()
    assert decision.action == "approve" and decision.decided_by == qinshui_officer and decision.created_at
    sms = Message.objects.get(template="application_approved")
    assert sms.recipient == application.phone and application.reference in sms.body


def test_approval_needs_the_required_checklist(application, qinshui_officer):
    screening_check_set(application=application, item_code="interview", done=True, by=qinshui_officer)
    with pytest.raises(ServiceError) as info:
        application_approve(application=application, by=qinshui_officer)
    assert info.value.field == "checks"
    assert "岗前培训" in info.value.message
    assert not Volunteer.objects.exists()
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_optional_checklist_items_do_not_block(application, qinshui_officer, programme):
    programme.screening_items.filter(code="references").update(required=False)
    application_decide(
        application=application,
        by=qinshui_officer,
        action="approve",
        checks={"interview": True, "training": True, "declarations": True},
    )
    assert Volunteer.objects.filter(application=application).exists()


def test_unknown_checklist_item_names_the_field(application, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        screening_check_set(application=application, item_code="astrology", done=True, by=qinshui_officer)
    assert info.value.field == "checks"


def test_rejection_needs_a_reason_and_texts_it(application, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        application_reject(application=application, by=qinshui_officer, reason="  ")
    assert info.value.field == "reason"
    application_reject(application=application, by=qinshui_officer, reason="暂不符合服务区域需要")
    application.refresh_from_db()
    assert application.status == "rejected"
    decision = application.decisions.get()
    assert (decision.action, decision.reason, decision.decided_by_name) == ("reject", "暂不符合服务区域需要", "qinshui")
    assert "暂不符合服务区域需要" in Message.objects.get(template="application_rejected").body


def test_a_reason_holding_an_id_number_is_refused(application, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        application_reject(application=application, by=qinshui_officer, reason=f"号码{application.id_number}有误")
    assert info.value.field == "reason"
    assert not Message.objects.exists()


def test_asking_for_more_information_messages_the_applicant(application, qinshui_officer):
    application_request_info(application=application, by=qinshui_officer, message="请补充单位推荐意见")
    application.refresh_from_db()
    assert application.status == "more_info"
    assert application.staff_message == "请补充单位推荐意见"
    assert "请补充单位推荐意见" in Message.objects.get(template="application_more_info").body
    # when: she replies, the application returns to the queue
    application_reply(application=application, text="已请单位出具推荐信")
    application.refresh_from_db()
    assert application.status == "pending" and "已请单位出具推荐信" in application.applicant_reply


def test_more_info_needs_a_message(application, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        application_request_info(application=application, by=qinshui_officer, message="")
    assert info.value.field == "reason"


def test_reply_is_refused_when_nothing_was_asked(application):
    with pytest.raises(ConflictError):
        application_reply(application=application, text="hello")


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_a_decided_application_cannot_be_decided_again(programme, qinshui_officer, status):
    application = ApplicationFactory(programme=programme, status=status)
    with pytest.raises(ConflictError):
        application_reject(application=application, by=qinshui_officer, reason="x")


def test_staff_cannot_decide_outside_their_region(application, zezhou_officer):
    with pytest.raises(ServiceError) as info:
        application_reject(application=application, by=zezhou_officer, reason="不合适")
    assert info.value.code == "out_of_scope"
    assert not Decision.objects.exists()


def test_town_officer_decides_in_her_town(application, longgang_officer):
    application_reject(application=application, by=longgang_officer, reason="不合适")
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_applicant_withdraws_and_the_withdrawal_is_recorded(application):
    application_withdraw(application=application, note="工作太忙")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    decision = application.decisions.get()
    assert decision.action == "withdraw" and decision.decided_by is None


def test_approved_application_cannot_be_withdrawn(programme):
    with pytest.raises(ConflictError):
        application_withdraw(application=ApplicationFactory(programme=programme, status="approved"))


def test_decide_without_an_action_names_the_field(application, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        application_decide(application=application, by=qinshui_officer, action="maybe")
    assert info.value.field == "action"


def test_team_from_another_programme_is_refused(application, qinshui_officer, regions):
    from tests.factories import ProgrammeFactory

    other = TeamFactory(programme=ProgrammeFactory(slug="other"))
    with pytest.raises(ServiceError) as info:
        application_decide(application=application, by=qinshui_officer, action="approve", checks=ALL_CHECKS, team=other)
    assert info.value.field == "team"
    assert not Volunteer.objects.exists()
    assert not application.checks.exists()  # the whole decision rolled back


def test_phone_of_a_staff_account_blocks_approval(application, qinshui_officer):
    qinshui_officer.phone = application.phone
    qinshui_officer.save()
    with pytest.raises(ConflictError):
        application_decide(application=application, by=qinshui_officer, action="approve", checks=ALL_CHECKS)


def test_a_volunteer_who_ended_can_be_approved_again(programme, qinshui_officer):
    from backend.volunteers.services import volunteer_status_change
    from tests.volunteers.factories import VolunteerFactory

    user = VolunteerUserFactory(phone="+8613711112222")
    old = VolunteerFactory(user=user, programme=programme)
    volunteer_status_change(volunteer=old, status="ended", by=qinshui_officer, reason="moved_away")
    screening_items_ensure(programme=programme)
    application = ApplicationFactory(programme=programme, phone="+8613711112222")
    volunteer = application_decide(application=application, by=qinshui_officer, action="approve", checks=ALL_CHECKS)
    assert volunteer.pk == old.pk and volunteer.status == "active" and volunteer.application == application
