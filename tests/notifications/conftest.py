import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.notifications.standins.twilio_fake import FakeTwilio
from tests.notifications.standins.wechat_fake import FakeWeChat

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
# Twilio's own OpenAPI spec lives beside the checkout (../shared/twilio/), in CI as here.
TWILIO_SPEC = ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def twilio_settings(settings, base_url: str) -> None:
    settings.SMS_CHANNEL = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = base_url
    settings.TWILIO_TIMEOUT_SECONDS = 1.0


@pytest.fixture
def fake_twilio(settings):
    """The real twilio client pointed at the local fake (errors, list, counting)."""
    with FakeTwilio() as fake:
        twilio_settings(settings, fake.url)
        yield fake
        fake.release.set()


@pytest.fixture(scope="session")
def prism_url():
    """Prism serving Twilio's OpenAPI spec on a free loopback port, for the whole session."""
    if not TWILIO_SPEC.exists():
        pytest.skip(f"Twilio's OpenAPI spec not found at {TWILIO_SPEC}")
    port = _free_port()
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(TWILIO_SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("Prism exited at start-up")
                time.sleep(0.2)  # waiting for a process to listen, not controlling time
        else:
            pytest.fail("Prism did not start listening within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def prism_twilio(settings, prism_url):
    twilio_settings(settings, prism_url)
    settings.TWILIO_TIMEOUT_SECONDS = 15.0  # Prism validates against a 1.8 MB spec: slower than Twilio
    return prism_url


@pytest.fixture
def fake_wechat(settings):
    with FakeWeChat() as fake:
        settings.WECHAT_CHANNEL = "wechat"
        settings.WECOM_CHANNEL = "wecom"
        settings.WECHAT_APP_ID = fake.appid
        settings.WECHAT_APP_SECRET = fake.secret
        settings.WECHAT_TEMPLATE_ID_REMINDER = "TPL-reminder"
        settings.WECHAT_API_BASE_URL = fake.url
        settings.WECOM_WEBHOOK_BASE_URL = fake.url
        settings.WECHAT_TIMEOUT_SECONDS = 2.0
        yield fake


@pytest.fixture(autouse=True)
def _clean_cache():
    # Tokens, locks and throttle counters live in the shared cache (Redis in tests).
    cache.clear()
    yield
    cache.clear()
