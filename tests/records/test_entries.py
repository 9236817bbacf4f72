"""The service record: hours from check-ins land in it, 补录 waits for approval and never passes the caps."""

import datetime

import pytest
from pghistory.models import Events

from backend.checkins.services import checkin_create
from backend.ops.errors import ServiceError
from backend.records import selectors, services
from backend.records.models import ServiceEntry
from tests.records.conftest import TODAY

pytestmark = pytest.mark.django_db


def _supplement(by, volunteer, *, minutes=120, day=TODAY, start=(9, 0), end=(12, 0)):
    return services.service_entry_supplement(
        by=by,
        volunteer=volunteer,
        served_on=day,
        starts_at=datetime.time(*start),
        ends_at=datetime.time(*end),
        minutes=minutes,
        content="寒假关爱活动",
        reason="活动当天未能扫码签到",
    )


def test_hours_from_a_checkin_land_in_the_record_once(volunteer, pairing, rules):
    # given a check-in of 90 minutes made through the check-in service
    checkin = checkin_create(volunteer=volunteer, children=[pairing.child], kind="home_visit", duration_minutes=90)
    # then her record has it, approved by the rules, and counted
    entry = ServiceEntry.objects.get(checkin=checkin)
    assert (entry.source, entry.status, entry.minutes, entry.content) == ("checkin", "approved", 90, "入户走访")
    assert selectors.approved_minutes(volunteer=volunteer) == 90
    # and a nightly sync adds nothing twice
    assert services.service_entries_sync() == 0
    assert services.service_entry_from_checkin(checkin=checkin) == entry
    assert ServiceEntry.objects.filter(volunteer=volunteer).count() == 1


def test_a_checkin_without_minutes_is_recorded_but_counts_nothing(volunteer, pairing, rules):
    checkin_create(volunteer=volunteer, children=[pairing.child], kind="phone_call")
    entry = ServiceEntry.objects.get(volunteer=volunteer)
    assert entry.status == "recorded"
    assert selectors.approved_minutes(volunteer=volunteer) == 0


def test_a_checkin_over_the_cap_waits_for_staff(volunteer, pairing, rules):
    rules.max_minutes_per_entry = 120
    rules.save()
    checkin_create(volunteer=volunteer, children=[pairing.child], kind="activity", duration_minutes=300)
    entry = ServiceEntry.objects.get(volunteer=volunteer)
    assert entry.status == "pending"
    assert "120" in entry.status_note
    assert selectors.approved_minutes(volunteer=volunteer) == 0


def test_checkins_past_the_daily_entry_limit_wait(volunteer, pairing, rules):
    rules.max_entries_per_day = 2
    rules.save()
    for _ in range(3):
        checkin_create(volunteer=volunteer, children=[pairing.child], kind="phone_call", duration_minutes=10)
    statuses = list(ServiceEntry.objects.filter(volunteer=volunteer).order_by("id").values_list("status", flat=True))
    assert statuses == ["approved", "approved", "pending"]
    assert selectors.approved_minutes(volunteer=volunteer) == 20


def test_a_nightly_sync_picks_up_checkins_made_elsewhere(volunteer, pairing, rules):
    from tests.checkins.factories import checkin_for

    checkin = checkin_for(pairing, on=TODAY)
    checkin.duration_minutes = 45
    checkin.save()
    assert services.service_entries_sync() == 1
    assert ServiceEntry.objects.get(checkin=checkin).minutes == 45


def test_supplement_waits_for_approval_and_never_counts_before(volunteer, rules, qinshui_officer, second_officer):
    entry = _supplement(qinshui_officer, volunteer)
    assert entry.status == "pending"
    assert selectors.approved_minutes(volunteer=volunteer) == 0
    # the one who entered it may not approve it
    with pytest.raises(ServiceError, match="另一位"):
        services.service_entry_decide(entry=entry, by=qinshui_officer, approve=True)
    services.service_entry_decide(entry=entry, by=second_officer, approve=True)
    assert selectors.approved_minutes(volunteer=volunteer) == 120


def test_supplement_over_the_activity_length_is_refused(volunteer, rules, qinshui_officer):
    with pytest.raises(ServiceError) as exc:
        _supplement(qinshui_officer, volunteer, minutes=200, start=(9, 0), end=(11, 0))
    assert exc.value.field == "minutes"
    assert not ServiceEntry.objects.exists()


def test_supplement_over_the_entry_cap_is_refused(volunteer, rules, qinshui_officer):
    rules.max_minutes_per_entry = 60
    rules.save()
    with pytest.raises(ServiceError, match="60"):
        _supplement(qinshui_officer, volunteer, minutes=90)


def test_approval_refuses_what_would_pass_the_days_cap(volunteer, rules, qinshui_officer, second_officer):
    rules.max_minutes_per_day = 8 * 60
    rules.save()
    first = _supplement(qinshui_officer, volunteer, minutes=300, start=(8, 0), end=(13, 0))
    second = _supplement(qinshui_officer, volunteer, minutes=240, start=(14, 0), end=(18, 0))
    services.service_entry_decide(entry=first, by=second_officer, approve=True)
    with pytest.raises(ServiceError, match="当天累计"):
        services.service_entry_decide(entry=second, by=second_officer, approve=True)
    assert selectors.approved_minutes(volunteer=volunteer) == 300
    # lowered to what fits, it counts
    services.service_entry_decide(entry=second, by=second_officer, approve=True, minutes=180)
    assert selectors.approved_minutes(volunteer=volunteer) == 480


def test_supplement_outside_the_officers_region_is_no_such_volunteer(volunteer, rules, zezhou_officer):
    with pytest.raises(ServiceError, match="不存在"):
        _supplement(zezhou_officer, volunteer)


def test_rejection_needs_a_reason_and_never_counts(volunteer, rules, qinshui_officer, second_officer):
    entry = _supplement(qinshui_officer, volunteer)
    with pytest.raises(ServiceError) as exc:
        services.service_entry_decide(entry=entry, by=second_officer, approve=False)
    assert exc.value.field == "note"
    services.service_entry_decide(entry=entry, by=second_officer, approve=False, note="当天无此活动")
    entry.refresh_from_db()
    assert entry.status == "rejected"
    assert selectors.approved_minutes(volunteer=volunteer) == 0


def test_a_bulk_approval_is_in_the_history(volunteer, rules, qinshui_officer, second_officer):
    # given three pending 补录 on different days
    entries = [_supplement(qinshui_officer, volunteer, day=TODAY - datetime.timedelta(days=d)) for d in range(3)]
    # when another officer approves them in bulk (one UPDATE statement)
    result = services.service_entries_approve_bulk(by=second_officer, entry_ids=[e.pk for e in entries])
    assert sorted(result["approved"]) == sorted(e.pk for e in entries)
    # then the history table holds an update of each, with who approved
    events = Events.objects.tracks(*entries).filter(pgh_label="update")
    assert events.count() == 3
    for event in events:
        assert event.pgh_diff["status"] == ["pending", "approved"]
        assert event.pgh_context["user"] == second_officer.pk
        assert event.pgh_context["action"] == "bulk_approve"
    assert selectors.approved_minutes(volunteer=volunteer) == 360


def test_bulk_approval_skips_what_passes_the_cap(volunteer, rules, qinshui_officer, second_officer):
    rules.max_minutes_per_entry = 180
    rules.max_minutes_per_day = 200
    rules.save()
    a = _supplement(qinshui_officer, volunteer, minutes=120, start=(8, 0), end=(10, 0))
    b = _supplement(qinshui_officer, volunteer, minutes=120, start=(14, 0), end=(16, 0))
    result = services.service_entries_approve_bulk(by=second_officer, entry_ids=[a.pk, b.pk])
    assert result["approved"] == [a.pk]
    assert [s["entry"].pk for s in result["skipped"]] == [b.pk]
    assert selectors.approved_minutes(volunteer=volunteer) == 120


def test_a_direct_queryset_update_is_recorded_too(volunteer, rules, qinshui_officer):
    entry = _supplement(qinshui_officer, volunteer)
    ServiceEntry.objects.filter(pk=entry.pk).update(content="改过的内容")
    event = Events.objects.tracks(entry).filter(pgh_label="update").get()
    assert event.pgh_diff["content"] == ["寒假关爱活动", "改过的内容"]


def test_the_nightly_task_syncs_recent_checkins(volunteer, pairing, rules):
    from backend.records.tasks import service_entries_sync_task
    from tests.checkins.factories import checkin_for

    recent = checkin_for(pairing, on=TODAY - datetime.timedelta(days=3))
    old = checkin_for(pairing, on=TODAY - datetime.timedelta(days=400))
    assert service_entries_sync_task() == 1
    assert ServiceEntry.objects.filter(checkin=recent).exists()
    assert not ServiceEntry.objects.filter(checkin=old).exists()
