import datetime

import pytest
import time_machine

from backend.checkins.services import contact_rules_default
from tests.checkins.factories import PairingFactory


@pytest.fixture
def rules(programme):
    """The programme's default rules and care dates."""
    return contact_rules_default(programme)


@pytest.fixture
def pairing(regions, programme):
    """An active pairing (沁水县龙港镇) that began on 1 March 2027."""
    return PairingFactory(programme=programme, started_on=datetime.date(2027, 3, 1))


@pytest.fixture
def at():
    """Move the clock: ``at("2027-03-28 10:00")`` (Asia/Shanghai)."""
    travellers = []

    def move(when: str):
        traveller = time_machine.travel(datetime.datetime.fromisoformat(when + "+08:00"), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield move
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Keep uploaded photos out of the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
