"""Shared fixtures; tests run on the real PostgreSQL and Redis (see Makefile `test`)."""

import shutil
from pathlib import Path

import pytest

from tests.factories import StaffFactory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PRISM = ROOT / "node_modules" / ".bin" / "prism"

# Tools some tests need and where they come from; a missing one skips those tests loudly.
TOOLS = {
    "browser": (
        lambda: Path(CHROMIUM).exists(),
        "Chromium not found: apt-get install chromium fonts-wqy-microhei",
    ),
    "prism": (
        lambda: PRISM.exists(),
        "Prism (Twilio API mock) not found: npm ci (or npm install) in the project folder",
    ),
}
_skipped_for_tools: dict[str, int] = {}


@pytest.fixture
def browser(monkeypatch):
    """Return Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous (see tests/checkins/test_offline_queue_browser.py).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with one more step before it is dropped: end the sessions
    that live-server and worker threads left open on it, so that the drop succeeds and the next
    run starts from a fresh database instead of warning that it "is being accessed by other users"."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _no_cache_carried_over():
    """Rate limits, one-time tokens, locks and throttle counters live in the shared cache (Redis
    in tests): every test starts and ends with none, whichever folder it is in."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _platform_language():
    """Each test starts in the platform's language: a request in English (the language switch's
    cookie) leaves its thread in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def pytest_sessionstart(session):
    """The English catalogue is compiled, not committed: compile it when the .po is newer (as make does)."""
    from django.conf import settings

    from backend.ops.i18n.catalogue import compile_catalogues

    compile_catalogues(Path(settings.LOCALE_PATHS[0]))


def pytest_collection_modifyitems(config, items):
    for marker, (available, how) in TOOLS.items():
        if available():
            continue
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=how))
                _skipped_for_tools[how] = _skipped_for_tools.get(how, 0) + 1


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_tools:
        terminalreporter.write_sep("=", "tests skipped because a tool is missing", yellow=True)
        for how, count in _skipped_for_tools.items():
            terminalreporter.write_line(f"SKIPPED {count} test(s): {how}")


@pytest.fixture
def regions(db):
    """Ensure the bundled Jincheng regions are loaded (transactional tests flush them)."""
    from backend.regions.management.commands.import_regions import JINCHENG_DIR
    from backend.regions.models import Region
    from backend.regions.services import regions_import

    if not Region.objects.filter(code="1405").exists():
        regions_import(directory=JINCHENG_DIR)
    return Region.objects


@pytest.fixture
def city_officer(regions):
    return StaffFactory(username="city", home_region_id="1405")


@pytest.fixture
def qinshui_officer(regions):
    return StaffFactory(username="qinshui", home_region_id="140521")


@pytest.fixture
def zezhou_officer(regions):
    return StaffFactory(username="zezhou", home_region_id="140525")


@pytest.fixture
def longgang_officer(regions):
    """A town officer: 沁水县龙港镇."""
    return StaffFactory(username="longgang", home_region_id="140521100")


@pytest.fixture
def programme(regions):
    from tests.factories import ProgrammeFactory

    return ProgrammeFactory()
