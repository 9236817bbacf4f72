import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.notifications.standins.domestic_sms import (
    ALIYUN_KEY_ID,
    ALIYUN_KEY_SECRET,
    SIGN_NAME,
    TENCENT_APP_ID,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
    FakeAliyun,
    FakeTencent,
)
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


def provider_codes(provider: str) -> dict[str, str]:
    """A made-up approved code for every registered template (what staff would enter)."""
    from notifications.templates import template_all

    names = [t.name for t in template_all()]
    if provider == "aliyun":
        return {name: f"SMS_{470000000 + i}" for i, name in enumerate(names)}
    return {name: str(2100000 + i) for i, name in enumerate(names)}


def provider_env(provider: str, url: str) -> dict[str, str]:
    """The settings (as environment variables) that point a provider's SDK at its stand-in."""
    import json

    common = {"SMS_CHANNEL": provider, "SMS_PROVIDER_TIMEOUT_SECONDS": "2"}
    common["SMS_PROVIDER_TEMPLATES"] = json.dumps({provider: provider_codes(provider)})
    if provider == "aliyun":
        return common | {
            "ALIYUN_SMS_ACCESS_KEY_ID": ALIYUN_KEY_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": ALIYUN_KEY_SECRET,
            "ALIYUN_SMS_SIGN_NAME": SIGN_NAME,
            "ALIYUN_SMS_ENDPOINT": url,
        }
    return common | {
        "TENCENT_SMS_SECRET_ID": TENCENT_SECRET_ID,
        "TENCENT_SMS_SECRET_KEY": TENCENT_SECRET_KEY,
        "TENCENT_SMS_SDK_APP_ID": TENCENT_APP_ID,
        "TENCENT_SMS_SIGN_NAME": SIGN_NAME,
        "TENCENT_SMS_ENDPOINT": url,
    }


def provider_settings(settings, provider: str, fake) -> None:
    """Point the real SDK of ``provider`` at ``fake`` and approve every registered template there."""
    import json

    from notifications.provider_templates import template_placeholders
    from notifications.templates import template_get

    for key, value in provider_env(provider, fake.url).items():
        setattr(settings, key, json.loads(value) if key == "SMS_PROVIDER_TEMPLATES" else value)
    settings.SMS_PROVIDER_TIMEOUT_SECONDS = 2.0
    for name, code in provider_codes(provider).items():
        fake.approve(code, template_placeholders(template_get(name).text))


@pytest.fixture
def fake_aliyun(settings):
    """The real Aliyun SDK pointed at the local fake, which checks its ACS3 signatures."""
    with FakeAliyun() as fake:
        provider_settings(settings, "aliyun", fake)
        yield fake
        fake.release.set()


@pytest.fixture
def fake_tencent(settings):
    """The real Tencent Cloud SDK pointed at the local fake, which checks its TC3 signatures."""
    with FakeTencent() as fake:
        provider_settings(settings, "tencent", fake)
        yield fake
        fake.release.set()


@pytest.fixture(params=["aliyun", "tencent"])
def domestic(request):
    """Each domestic provider in turn: (name, fake)."""
    return request.param, request.getfixturevalue(f"fake_{request.param}")
