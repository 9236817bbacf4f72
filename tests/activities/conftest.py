import pytest


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    """Rate limits live in the (per-run) Redis cache: start every test with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pairing(regions, programme):
    from tests.checkins.factories import PairingFactory

    return PairingFactory(programme=programme)
