import datetime

import pytest
import time_machine

from backend.records.models import RecordRules
from tests.checkins.factories import PairingFactory
from tests.factories import StaffFactory
from tests.volunteers.factories import VolunteerFactory

TODAY = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(
        datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False
    ):
        yield


@pytest.fixture
def rules(programme):
    return RecordRules.objects.create(programme=programme)


@pytest.fixture
def volunteer(programme):
    return VolunteerFactory(programme=programme, name="王𠮷芳", village_id="140521100001")


@pytest.fixture
def pairing(volunteer, programme):
    return PairingFactory(programme=programme, volunteer=volunteer, started_on=datetime.date(2026, 1, 1))


@pytest.fixture
def second_officer(regions):
    return StaffFactory(username="qinshui2", home_region_id="140521")
