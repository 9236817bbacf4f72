"""The stored per-village figures: triggers mark changed villages, the refresh stores them, pages stay exact."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from backend.checkins.models import CheckIn, CheckInChild, DueState
from backend.children.models import Child, Concern
from backend.dashboard.models import DirtyVillage, SummaryDay, VillageFigures
from backend.dashboard.selectors import villages_out_of_date
from backend.dashboard.services import summary_refresh
from backend.volunteers.models import Application, Volunteer
from pairing.models import Pairing
from tests.dashboard.conftest import QINSHUI, ZEZHOU, build_dataset, expected_figures
from tests.dashboard.test_figures import _api, _pick

pytestmark = pytest.mark.django_db

VILLAGE_A, VILLAGE_B = "140521100001", "140521100002"


def _marked() -> set[str]:
    return set(DirtyVillage.objects.values_list("village", flat=True))


def _assert_pages_match_the_records(client, city_officer, today):
    data = _api(client, city_officer)
    assert _pick(data["total"]) == expected_figures("1405", today=today)
    for row in data["rows"]:
        assert _pick(row) == expected_figures(row["code"], today=today), row["code"]
    county = _api(client, city_officer, QINSHUI)
    for row in county["rows"]:
        assert _pick(row) == expected_figures(row["code"], today=today), row["code"]
    return data


# --- the triggers -------------------------------------------------------------


def test_every_change_that_moves_a_figure_or_a_list_marks_its_village(regions, programme, today):
    from tests.children.factories import ChildFactory, ConcernFactory
    from tests.volunteers.factories import ApplicationFactory, VolunteerFactory

    def marks_of(change) -> set[str]:
        DirtyVillage.objects.all().delete()
        change()
        return _marked()

    child = ChildFactory(village_id=VILLAGE_A)
    volunteer = VolunteerFactory(programme=programme, village_id=VILLAGE_B)
    assert _marked() >= {VILLAGE_A, VILLAGE_B}
    # a pairing marks the child's village and the volunteer's (her load)
    holder = {}
    assert marks_of(
        lambda: holder.setdefault(
            "p",
            Pairing.objects.create(programme=programme, child=child, volunteer=volunteer, started_on=today),
        )
    ) == {VILLAGE_A, VILLAGE_B}
    pairing = holder["p"]
    assert marks_of(lambda: Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.PAUSED)) == {
        VILLAGE_A,
        VILLAGE_B,
    }
    # a check-in marks the volunteer's village; the child it covers marks the child's
    checkin = {}
    assert marks_of(
        lambda: checkin.setdefault(
            "k", CheckIn.objects.create(volunteer=volunteer, kind="home_visit", occurred_on=today)
        )
    ) == {VILLAGE_B}
    assert marks_of(
        lambda: CheckInChild.objects.create(checkin=checkin["k"], child=child, pairing=pairing, occurred_on=today)
    ) == {VILLAGE_A}
    # a due state marks the child's village when it is created, met or moved
    from backend.checkins.models import ContactRule

    rule = ContactRule.objects.create(programme=programme, name="每月联系")
    due = {}
    assert marks_of(
        lambda: due.setdefault("d", DueState.objects.create(pairing=pairing, rule=rule, next_due_on=today))
    ) == {VILLAGE_A}
    assert marks_of(lambda: DueState.objects.filter(pk=due["d"].pk).update(next_due_on=today)) == set()
    assert marks_of(
        lambda: DueState.objects.filter(pk=due["d"].pk).update(next_due_on=today + datetime.timedelta(days=30))
    ) == {VILLAGE_A}
    # the nightly pass's reminder bookkeeping moves no figure and marks nothing
    assert marks_of(lambda: DueState.objects.filter(pk=due["d"].pk).update(reminded_due_for=today)) == set()
    # a concern, an application
    assert marks_of(lambda: ConcernFactory(child=child)) == {VILLAGE_A}
    assert marks_of(lambda: ApplicationFactory(programme=programme, village_id=VILLAGE_B)) == {VILLAGE_B}
    # editing a child's name moves nothing; moving her marks both villages
    assert marks_of(lambda: Child.objects.filter(pk=child.pk).update(given_name="小花")) == set()
    assert marks_of(lambda: Child.objects.filter(pk=child.pk).update(village_id=VILLAGE_B)) == {VILLAGE_A, VILLAGE_B}
    # a volunteer's capacity is her load's denominator
    assert marks_of(lambda: Volunteer.objects.filter(pk=volunteer.pk).update(capacity=3)) == {VILLAGE_B}
    # the lists' sort keys: when a child was registered, a concern raised, a volunteer joined
    earlier = timezone.now() - datetime.timedelta(days=400)
    assert marks_of(lambda: Child.objects.filter(pk=child.pk).update(created_at=earlier)) == {VILLAGE_B}
    assert marks_of(lambda: Concern.objects.filter(child=child).update(created_at=earlier)) == {VILLAGE_B}
    assert marks_of(lambda: Volunteer.objects.filter(pk=volunteer.pk).update(joined_at=earlier)) == {VILLAGE_B}
    # deleting marks too
    assert marks_of(lambda: Concern.objects.filter(child=child).delete()) == {VILLAGE_B}
    assert marks_of(lambda: Application.objects.all().delete()) == {VILLAGE_B}


# --- the refresh and the pages --------------------------------------------------


def _just_after_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 5)))


def test_pages_match_the_records_when_live_when_stored_and_when_mixed(client, city_officer, programme, today):
    from tests.children.factories import ChildFactory

    dataset = build_dataset(programme, today=today)
    # given: nothing stored yet, every village is computed live
    assert set(villages_out_of_date(prefix="1405", today=today)) >= set(dataset["villages"])
    live = _assert_pages_match_the_records(client, city_officer, today)
    assert live["total"]["lapsed_volunteers"] > 0
    assert sum(m["checkins"] for m in live["checkins_by_month"]) > 0

    # when: the refresh stores every village
    assert summary_refresh(today=today, next_day=False) >= len(dataset["villages"])
    # then: nothing is out of date, and the stored figures are the same
    assert villages_out_of_date(prefix="", today=today) == []
    assert DirtyVillage.objects.count() == 0
    assert SummaryDay.objects.filter(as_of=today).exists()
    stored = _assert_pages_match_the_records(client, city_officer, today)
    assert stored["total"] == live["total"]
    assert stored["checkins_by_month"] == live["checkins_by_month"]

    # when: records change after the refresh
    village = next(v for v in dataset["villages"] if v.startswith(ZEZHOU))
    ChildFactory(village_id=village)
    pairing = Pairing.objects.filter(status=Pairing.Status.ACTIVE, child__village__pk__startswith=QINSHUI).first()
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED, ended_on=today, end_reason="other")
    CheckIn.objects.create(volunteer=pairing.volunteer, kind="home_visit", occurred_on=today)
    # then: those villages are computed live, the rest read from the stored rows
    out_of_date = set(villages_out_of_date(prefix="", today=today))
    assert village in out_of_date and pairing.child.village_id in out_of_date
    assert len(out_of_date) < len(dataset["villages"])
    mixed = _assert_pages_match_the_records(client, city_officer, today)
    assert mixed["total"]["registered"] == stored["total"]["registered"] + 1

    # and the next refresh stores them and consumes the marks
    summary_refresh(today=today, next_day=False)
    assert villages_out_of_date(prefix="", today=today) == []
    assert _assert_pages_match_the_records(client, city_officer, today)["total"] == mixed["total"]


def test_after_midnight_villages_without_a_row_for_the_day_are_computed_live(
    client, city_officer, programme, today, time_machine
):
    build_dataset(programme, today=today)
    summary_refresh(today=today, next_day=False)
    tomorrow = today + datetime.timedelta(days=1)
    # when: the day changes before any refresh has stored its rows
    time_machine.move_to(_just_after_midnight(tomorrow))
    # then: the date-dependent figures (30/90 days, overdue, lapsed) are tomorrow's
    assert villages_out_of_date(prefix="1405", today=tomorrow)
    _assert_pages_match_the_records(client, city_officer, tomorrow)


def test_the_next_days_rows_stored_in_the_evening_serve_the_first_pages_after_midnight(
    client, city_officer, programme, today, time_machine
):
    build_dataset(programme, today=today)
    tomorrow = today + datetime.timedelta(days=1)
    # given: the evening refresh stores today's and tomorrow's rows
    summary_refresh(today=today, next_day=True)
    assert SummaryDay.objects.filter(as_of=tomorrow).exists()
    # and a change after it, in the evening
    due = DueState.objects.filter(pairing__status=Pairing.Status.ACTIVE).select_related("pairing__child").first()
    DueState.objects.filter(pk=due.pk).update(next_due_on=today - datetime.timedelta(days=7))
    # when: midnight passes
    time_machine.move_to(_just_after_midnight(tomorrow))
    # then: only the changed village is live, and every figure is tomorrow's
    assert villages_out_of_date(prefix="", today=tomorrow) == [due.pairing.child.village_id]
    _assert_pages_match_the_records(client, city_officer, tomorrow)
    # and the first refresh of the day drops yesterday's rows
    summary_refresh(today=tomorrow, next_day=False)
    assert set(VillageFigures.objects.values_list("as_of", flat=True)) == {tomorrow}


def test_a_refresh_without_the_next_day_drops_its_rows_rather_than_leave_them_out_of_date(programme, today):
    from tests.children.factories import ChildFactory

    build_dataset(programme, today=today)
    tomorrow = today + datetime.timedelta(days=1)
    summary_refresh(today=today, next_day=True)
    village = Child.objects.first().village_id
    ChildFactory(village_id=village)
    # when: a daytime refresh (today only) consumes the mark
    summary_refresh(today=today, next_day=False)
    # then: that village has no row for tomorrow, and tomorrow is no longer promised complete
    assert not VillageFigures.objects.filter(village=village, as_of=tomorrow).exists()
    assert not SummaryDay.objects.filter(as_of=tomorrow).exists()
    assert village in villages_out_of_date(prefix="", today=tomorrow)


# --- concurrency: a change committed during a refresh is not lost ---------------


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_refresh_runs_keeps_its_mark(client, city_officer, programme, regions, today):
    from tests.children.factories import ChildFactory

    child = ChildFactory(village_id=VILLAGE_A)
    summary_refresh(today=today, next_day=False)
    assert VillageFigures.objects.get(village=VILLAGE_A, as_of=today).registered == 1
    changed, committed = threading.Event(), threading.Event()

    def writer():
        # given: another transaction changes the child, and commits only once the refresh has read
        try:
            with transaction.atomic():
                Child.objects.filter(pk=child.pk).update(
                    status=Child.Status.EXITED, exit_reason="moved_away", exited_on=today
                )
                changed.set()
                assert committed.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert changed.wait(30)
    # when: the refresh runs while the change is not yet committed
    DirtyVillage.objects.create(village=VILLAGE_A)
    summary_refresh(today=today, next_day=False)
    committed.set()
    thread.join(30)
    # then: the stored row is the old one, but the change's own mark survives
    assert VillageFigures.objects.get(village=VILLAGE_A, as_of=today).registered == 1
    assert VILLAGE_A in _marked()
    assert _api(client, city_officer, QINSHUI)["total"]["registered"] == 0
    summary_refresh(today=today, next_day=False)
    assert not VillageFigures.objects.filter(village=VILLAGE_A, as_of=today, registered__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_only_one_refresh_runs_at_a_time(programme, regions, today):
    from backend.dashboard.services import REFRESH_LOCK

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK])
        assert summary_refresh(today=today) is None
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])
    finally:
        other.close()
    assert summary_refresh(today=today) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid::text = %s", [str(REFRESH_LOCK)]
        )
        assert cursor.fetchone()[0] == 0


def test_beat_runs_the_refresh_every_minute_by_default(regions, programme, today, settings):
    from backend.dashboard.tasks import summary_refresh_task
    from tests.children.factories import ChildFactory

    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-summary-refresh"]
    assert entry["task"] == summary_refresh_task.name
    assert entry["schedule"] == 60.0
    ChildFactory(village_id=VILLAGE_A)
    assert summary_refresh_task.apply().get() == 1
    assert VillageFigures.objects.get(village=VILLAGE_A, as_of=today).registered == 1
