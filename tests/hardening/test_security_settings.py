"""Production settings, as a deployed process sees them: headers, cookies, sessions, hashing, secrets.

`manage.py check --deploy` and the login lockout have their own tests
(tests/test_settings.py, tests/accounts/test_login.py); these check what a browser
actually receives from a production-mode process, and where the secrets come from.
"""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = r"""
import json
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client
client = Client(raise_request_exception=False)
# A JSON page: templates would need collectstatic's manifest, which a deploy runs first.
r = client.get("/api/accounts/me/", secure=True, HTTP_HOST="cm.example.org")
insecure = client.get("/api/accounts/me/", secure=False, HTTP_HOST="cm.example.org")
print(json.dumps({
    "status": r.status_code,
    "headers": dict(r.headers),
    "cookies": {"session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
                "session_httponly": settings.SESSION_COOKIE_HTTPONLY},
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.headers.get("Location", ""),
    "hasher": get_hasher().algorithm,
    "session_age": settings.SESSION_COOKIE_AGE,
    "expire_at_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    "debug": settings.DEBUG,
}))
"""

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "p" * 30 + "-hardening-test-secret-not-used-anywhere-else-0123",
    "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LW5ldmVyLWluLXByb2Q=",
    "FIELD_HASH_KEY": "hardening-test-hash-key",
    "ALLOWED_HOSTS": "cm.example.org",
}


def _production(**extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG", "FIELD_HASH_KEY"}}
    env.update(PRODUCTION, **extra)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_responses_carry_hsts_csp_and_secure_cookies(db):
    # when
    result = _production()
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = {k.lower(): v for k, v in probe["headers"].items()}
    # then
    assert probe["debug"] is False
    assert probe["status"] == 403  # anonymous, refused cleanly
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["strict-transport-security"]
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    csp = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";") if d.strip())
    assert csp["script-src"] == "'self'"
    # no inline <style> either; only style attributes (ECharts' tooltips) are allowed
    assert "'unsafe-inline'" not in csp["style-src"] and csp["style-src-attr"] == "'unsafe-inline'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert probe["cookies"] == {"session_secure": True, "csrf_secure": True, "session_httponly": True}
    # plain HTTP is sent to HTTPS
    assert probe["insecure_status"] == 301
    assert probe["insecure_location"].startswith("https://")


def test_sessions_expire_and_passwords_use_djangos_default_hasher(db):
    result = _production()
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # then: a working day at most, and gone when the browser closes
    assert probe["session_age"] <= 8 * 3600
    assert probe["expire_at_close"] is True
    assert probe["hasher"] == "pbkdf2_sha256"


def test_production_refuses_to_start_without_each_secret(db):
    for missing in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG", "FIELD_HASH_KEY"}}
        env.update(PRODUCTION)
        env.pop(missing)
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode != 0, missing
        assert missing in result.stderr, (missing, result.stderr[-500:])


def test_no_secret_is_hard_coded_for_production():
    # The development defaults exist only behind DEBUG; production values come from the environment.
    source = (ROOT / "backend" / "settings.py").read_text()
    for name in ("SECRET_KEY", "FIELD_HASH_KEY", "TWILIO_AUTH_TOKEN", "WECHAT_APP_SECRET"):
        assert f'{name} = env.str("{name}"' in source, name
    assert "if DEBUG else []" in source  # the dev field key is not used in production
