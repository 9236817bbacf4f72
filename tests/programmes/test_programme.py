import datetime

import pytest
from django.db import IntegrityError

from tests.factories import ProgrammeFactory


@pytest.mark.django_db
def test_quiet_hours_wrap_past_midnight(regions):
    programme = ProgrammeFactory()
    assert programme.in_quiet_hours(datetime.time(22, 30))
    assert programme.in_quiet_hours(datetime.time(7, 59))
    assert not programme.in_quiet_hours(datetime.time(8, 0))
    assert not programme.in_quiet_hours(datetime.time(12, 0))


@pytest.mark.django_db
def test_age_range_must_be_ordered(regions):
    with pytest.raises(IntegrityError):
        ProgrammeFactory(min_age=60, max_age=20)
