"""Writes and reads the staff workspace needs: bulk approval, the queue's order, messages to a volunteer."""

import datetime

import pytest
from django.utils import timezone

from backend.ops.errors import ConflictError, ServiceError
from backend.volunteers import selectors
from backend.volunteers.models import Application, Volunteer
from backend.volunteers.services import (
    applications_approve_bulk,
    screening_check_set,
    screening_items_ensure,
    volunteer_message_send,
    volunteer_status_change,
)
from notifications.models import Message
from tests.volunteers.factories import ApplicationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

CHECKS = ("interview", "training", "references", "declarations")


def _tick(application, by, codes=CHECKS):
    for code in codes:
        screening_check_set(application=application, item_code=code, done=True, by=by)


def test_bulk_approve_approves_the_complete_and_says_why_the_others_were_not(programme, qinshui_officer):
    # given: one application with its checklist complete, one with an item missing
    screening_items_ensure(programme=programme)
    complete = ApplicationFactory(programme=programme)
    partial = ApplicationFactory(programme=programme)
    _tick(complete, qinshui_officer)
    _tick(partial, qinshui_officer, CHECKS[:2])
    # when
    result = applications_approve_bulk(applications=[complete, partial], by=qinshui_officer)
    # then
    assert result["approved"] == [complete.reference]
    assert [s["reference"] for s in result["skipped"]] == [partial.reference]
    assert "推荐人" in result["skipped"][0]["error"]
    assert Volunteer.objects.filter(application=complete).exists()
    assert Application.objects.get(pk=partial.pk).status == "pending"


def test_bulk_approve_refuses_applications_outside_the_region(programme, zezhou_officer, qinshui_officer):
    screening_items_ensure(programme=programme)
    application = ApplicationFactory(programme=programme)  # 沁水县
    _tick(application, qinshui_officer)
    result = applications_approve_bulk(applications=[application], by=zezhou_officer)
    assert result["approved"] == []
    assert not Volunteer.objects.exists()


def test_checklist_complete_is_annotated_per_application(programme, qinshui_officer):
    screening_items_ensure(programme=programme)
    complete = ApplicationFactory(programme=programme)
    partial = ApplicationFactory(programme=programme)
    _tick(complete, qinshui_officer)
    _tick(partial, qinshui_officer, CHECKS[:3])
    rows = {a.pk: a.checklist_complete for a in selectors.application_queue(user=qinshui_officer)}
    assert rows == {complete.pk: True, partial.pk: False}


def test_the_queue_lists_waiting_applications_first_oldest_first(programme, qinshui_officer):
    now = timezone.now()
    approved = ApplicationFactory(programme=programme, status="approved")
    old = ApplicationFactory(programme=programme)
    new = ApplicationFactory(programme=programme, status="more_info")
    Application.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=5))
    Application.objects.filter(pk=new.pk).update(created_at=now - datetime.timedelta(days=1))
    Application.objects.filter(pk=approved.pk).update(created_at=now - datetime.timedelta(days=9))
    order = [a.pk for a in selectors.application_queue(user=qinshui_officer)]
    assert order == [old.pk, new.pk, approved.pk]


def test_the_queue_filters_by_village_unit_and_date(programme, qinshui_officer):
    here = ApplicationFactory(programme=programme, village_id="140521100001")
    ApplicationFactory(programme=programme, village_id="140521101200")
    Application.objects.filter(pk=here.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    assert [a.pk for a in selectors.application_queue(user=qinshui_officer, region="140521100001")] == [here.pk]
    recent = selectors.application_queue(
        user=qinshui_officer, submitted_from=timezone.localdate() - datetime.timedelta(days=2)
    )
    assert here.pk not in [a.pk for a in recent] and recent.count() == 1


@pytest.fixture
def volunteer(programme):
    return VolunteerFactory(programme=programme, village_id="140521100001")


def test_a_message_to_a_volunteer_goes_through_the_outbox_with_no_childs_data(volunteer, qinshui_officer):
    message = volunteer_message_send(volunteer=volunteer, by=qinshui_officer, template="volunteer_note_checkin")
    assert message.channel == Message.Channel.SMS and message.recipient == volunteer.phone
    assert volunteer.name in message.body and "沁水县妇联" in message.body
    assert message.template == "volunteer_note_checkin"


def test_the_same_message_twice_a_day_is_refused(volunteer, qinshui_officer):
    volunteer_message_send(volunteer=volunteer, by=qinshui_officer, template="volunteer_note_thanks")
    with pytest.raises(ConflictError) as info:
        volunteer_message_send(volunteer=volunteer, by=qinshui_officer, template="volunteer_note_thanks")
    assert info.value.field == "template"
    assert Message.objects.filter(template="volunteer_note_thanks").count() == 1


def test_only_staff_templates_may_be_sent(volunteer, qinshui_officer):
    with pytest.raises(ServiceError) as info:
        volunteer_message_send(volunteer=volunteer, by=qinshui_officer, template="pairing_new_volunteer")
    assert info.value.field == "template"
    assert not Message.objects.exists()


def test_no_message_to_a_volunteer_outside_the_region_or_ended(volunteer, zezhou_officer, qinshui_officer):
    with pytest.raises(ServiceError):
        volunteer_message_send(volunteer=volunteer, by=zezhou_officer, template="volunteer_note_checkin")
    volunteer_status_change(volunteer=volunteer, status="ended", by=qinshui_officer, reason="moved_away")
    Message.objects.all().delete()
    volunteer.refresh_from_db()
    with pytest.raises(ConflictError):
        volunteer_message_send(volunteer=volunteer, by=qinshui_officer, template="volunteer_note_checkin")
    assert not Message.objects.exists()


def test_volunteer_load_counts_current_pairings(volunteer, qinshui_officer):
    from pairing.services import pairing_create, pairing_end
    from tests.children.factories import ChildFactory

    kids = [ChildFactory(village_id="140521100001") for _ in range(2)]
    pairings = [
        pairing_create(programme=volunteer.programme, child=k, volunteer=volunteer, user=qinshui_officer) for k in kids
    ]
    pairing_end(pairing=pairings[0], user=qinshui_officer, reason="moved")
    row = selectors.volunteer_annotate_load(selectors.volunteer_list(user=qinshui_officer)).get(pk=volunteer.pk)
    assert row.load == 1
    profile = selectors.volunteer_profile(user=qinshui_officer, volunteer=volunteer)
    assert profile["load"] == 1 and len(profile["past_pairings"]) == 1


def test_checks_are_saved_without_a_decision_only_while_open(programme, qinshui_officer, zezhou_officer):
    from backend.volunteers.services import screening_checks_save

    screening_items_ensure(programme=programme)
    application = ApplicationFactory(programme=programme)
    screening_checks_save(application=application, by=qinshui_officer, checks={"interview": True})
    assert application.checks.get().done
    with pytest.raises(ServiceError):
        screening_checks_save(application=application, by=zezhou_officer, checks={"training": True})
    application.status = "rejected"
    with pytest.raises(ConflictError):
        screening_checks_save(application=application, by=qinshui_officer, checks={"training": True})
    assert application.checks.count() == 1
