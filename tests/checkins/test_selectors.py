import datetime

import pytest

from backend.checkins.models import DueState
from backend.checkins.selectors import pairings_overdue
from pairing.models import Pairing
from tests.checkins.factories import ContactRuleFactory, PairingFactory

pytestmark = pytest.mark.django_db


def test_pairings_overdue_lists_active_pairings_with_an_unmet_due_date_and_counts_days(regions, programme):
    rule = ContactRuleFactory(programme=programme)
    late, on_time, ended = (PairingFactory(programme=programme) for _ in range(3))
    DueState.objects.create(pairing=late, rule=rule, next_due_on=datetime.date(2027, 3, 1))
    DueState.objects.create(pairing=on_time, rule=rule, next_due_on=datetime.date(2027, 3, 20))
    DueState.objects.create(pairing=ended, rule=rule, next_due_on=datetime.date(2027, 2, 1))
    Pairing.objects.filter(pk=ended.pk).update(status="ended", ended_on=datetime.date(2027, 3, 1), end_reason="other")

    rows = list(pairings_overdue(today=datetime.date(2027, 3, 11)))

    assert [p.pk for p in rows] == [late.pk]
    assert rows[0].overdue_days == 10
    assert rows[0].overdue_since == datetime.date(2027, 3, 1)


def test_a_satisfied_calendar_date_is_not_overdue(regions, programme):
    from tests.checkins.factories import CalendarEventFactory

    event = CalendarEventFactory(programme=programme)
    pairing = PairingFactory(programme=programme)
    DueState.objects.create(
        pairing=pairing, event=event, next_due_on=datetime.date(2027, 6, 1), satisfied_on=datetime.date(2027, 6, 1)
    )
    assert not pairings_overdue(today=datetime.date(2027, 6, 5)).exists()
