import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pairing(regions, programme):
    from tests.checkins.factories import PairingFactory

    return PairingFactory(programme=programme)
