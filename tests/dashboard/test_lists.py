"""The lists that lead to action: the right records in the right order, live, stored and mixed, and in full in the export."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from backend.checkins.models import CheckIn, DueState
from backend.children.models import Child, Concern
from backend.dashboard.models import DirtyVillage, VillageListEntry
from backend.dashboard.selectors import KINDS, villages_out_of_date
from backend.dashboard.services import summary_refresh
from backend.volunteers.models import Volunteer
from pairing.models import Pairing
from tests.dashboard.conftest import QINSHUI, ZEZHOU, build_dataset, expected_lists
from tests.dashboard.test_figures import _api

pytestmark = pytest.mark.django_db

SHEETS = {
    "unpaired": "未结对儿童",
    "lapsed_pairings": "逾期结对",
    "lapsed_volunteers": "60天无关爱记录的爱心妈妈",
    "open_concerns": "未办结关注事项",
}


@pytest.fixture
def short_lists(monkeypatch):
    """Show (and store per village) 3 rows a list, so that a region's first rows come from several villages."""
    monkeypatch.setattr("backend.dashboard.selectors.lists.LIST_LIMIT", 3)
    monkeypatch.setattr("backend.dashboard.services.LIST_LIMIT", 3)
    return 3


def _listed(data: dict) -> dict[str, list[int]]:
    return {kind: [r["id"] for r in data["lists"][kind]["rows"]] for kind in KINDS}


def _regions_to_check(dataset: dict) -> list[str]:
    villages = dataset["villages"]
    return ["1405", QINSHUI, ZEZHOU, villages[0][:9], villages[-1][:9], villages[0]]


def _assert_lists_match_the_records(client, city_officer, dataset, today, limit):
    for code in _regions_to_check(dataset):
        data = _api(client, city_officer, code)
        expected = expected_lists(code, today=today)
        assert _listed(data) == {kind: ids[:limit] for kind, ids in expected.items()}, code
        for kind in KINDS:
            assert data["lists"][kind]["count"] == len(expected[kind]), (code, kind)


def test_lists_hold_the_first_rows_of_the_region_in_order_live_stored_and_mixed(
    client, city_officer, programme, today, short_lists
):
    from tests.children.factories import ChildFactory, ConcernFactory

    dataset = build_dataset(programme, today=today)
    expected = expected_lists("1405", today=today)
    # the data set is not trivial: every list is longer than a page, over several villages
    for kind in KINDS:
        assert len(expected[kind]) > short_lists, kind
    # given: nothing stored, every village is computed live
    _assert_lists_match_the_records(client, city_officer, dataset, today, short_lists)

    # when: the refresh stores each village's first rows
    summary_refresh(today=today, next_day=False)
    assert villages_out_of_date(prefix="", today=today) == []
    per_village = {}
    for entry in VillageListEntry.objects.filter(as_of=today):
        per_village[(entry.village, entry.kind)] = per_village.get((entry.village, entry.kind), 0) + 1
    assert max(per_village.values()) == short_lists
    # then: pages read them and show the same rows
    _assert_lists_match_the_records(client, city_officer, dataset, today, short_lists)

    # when: records change in a few villages after the refresh
    village = next(v for v in dataset["villages"] if v.startswith(QINSHUI))
    oldest = ChildFactory(village_id=village)
    Child.objects.filter(pk=oldest.pk).update(created_at=oldest.created_at - datetime.timedelta(days=3650))
    ConcernFactory(child=oldest)
    pairing = Pairing.objects.filter(pk=expected_lists(ZEZHOU, today=today)["lapsed_pairings"][0]).get()
    DueState.objects.filter(pairing=pairing).update(satisfied_on=today)
    lapsed = Volunteer.objects.get(pk=expected["lapsed_volunteers"][0])
    CheckIn.objects.create(volunteer=lapsed, kind=CheckIn.Kind.PHONE_CALL, occurred_on=today)
    # then: those villages are computed live, the rest read from the stored rows, and the lists still match
    assert 0 < len(villages_out_of_date(prefix="", today=today)) < len(dataset["villages"])
    _assert_lists_match_the_records(client, city_officer, dataset, today, short_lists)
    city = _listed(_api(client, city_officer, "1405"))
    assert city["unpaired"][0] == oldest.pk
    assert pairing.pk not in city["lapsed_pairings"]
    assert lapsed.pk not in city["lapsed_volunteers"]

    # and the next refresh stores them
    summary_refresh(today=today, next_day=False)
    assert not DirtyVillage.objects.exists()
    _assert_lists_match_the_records(client, city_officer, dataset, today, short_lists)


def test_lists_are_the_next_days_after_midnight(client, city_officer, programme, today, time_machine, short_lists):
    dataset = build_dataset(programme, today=today)
    tomorrow = today + datetime.timedelta(days=1)
    summary_refresh(today=today, next_day=True)
    # a due date that falls due tonight: overdue tomorrow, not today
    due = DueState.objects.filter(pairing__status=Pairing.Status.ACTIVE, satisfied_on__isnull=True).first()
    DueState.objects.filter(pk=due.pk).update(next_due_on=today)
    assert due.pairing_id not in expected_lists("1405", today=today)["lapsed_pairings"]
    time_machine.move_to(datetime.datetime.combine(tomorrow, datetime.time(0, 5), tzinfo=datetime.UTC))
    _assert_lists_match_the_records(client, city_officer, dataset, tomorrow, short_lists)
    summary_refresh(today=tomorrow, next_day=False)
    assert set(VillageListEntry.objects.values_list("as_of", flat=True)) == {tomorrow}
    _assert_lists_match_the_records(client, city_officer, dataset, tomorrow, short_lists)


def test_lapsed_volunteers_come_silent_longest_first_with_never_after_their_joining(
    client, qinshui_officer, dataset, today
):
    data = _api(client, qinshui_officer)
    rows = data["lists"]["lapsed_volunteers"]["rows"]
    assert [r["id"] for r in rows] == expected_lists(QINSHUI, today=today)["lapsed_volunteers"]
    checked = [r["last_checkin"] for r in rows if r["last_checkin"]]
    assert checked == sorted(checked)
    # the data set has both kinds: volunteers whose last check-in is old, and some who never checked in
    assert checked and any(r["last_checkin"] is None for r in rows)
    since = (today - datetime.timedelta(days=59)).isoformat()
    assert all(day < since for day in checked)


def test_the_export_carries_every_row_of_each_list_in_the_pages_order(client, qinshui_officer, dataset, today):
    summary_refresh(today=today, next_day=False)
    client.force_login(qinshui_officer)
    response = client.get("/staff/dashboard/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    expected = expected_lists(QINSHUI, today=today)
    for kind, sheet in SHEETS.items():
        ids = [row[0] for row in wb[sheet].iter_rows(min_row=2, values_only=True)]
        assert ids == expected[kind], kind
    page = _listed(_api(client, qinshui_officer))
    assert page == {kind: ids[:50] for kind, ids in expected.items()}


def test_a_concern_closed_leaves_the_list_and_its_village_is_marked(client, qinshui_officer, dataset, today):
    summary_refresh(today=today, next_day=False)
    concern = Concern.objects.get(pk=expected_lists(QINSHUI, today=today)["open_concerns"][0])
    Concern.objects.filter(pk=concern.pk).update(
        status=Concern.Status.CLOSED, closing_note="已转介乡镇社工站", closed_at=timezone.now()
    )
    assert concern.child.village_id in villages_out_of_date(prefix="", today=today)
    assert concern.pk not in _listed(_api(client, qinshui_officer))["open_concerns"]
