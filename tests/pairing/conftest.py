import pytest

from tests.children.factories import ChildFactory
from tests.volunteers.factories import VolunteerFactory


@pytest.fixture
def make_child(regions, programme):
    def make(village="140521100001", **kwargs):
        return ChildFactory(village_id=village, **kwargs)

    return make


@pytest.fixture
def make_volunteer(regions, programme):
    def make(village="140521100001", **kwargs):
        kwargs.setdefault("programme", programme)
        return VolunteerFactory(village_id=village, **kwargs)

    return make
