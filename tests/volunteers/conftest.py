import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    """Rate limits live in the (per-run) Redis cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()
