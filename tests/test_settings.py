import os
import subprocess
import sys

from django.db import connection

from tests.conftest import ROOT


def _manage(*args, **env):
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a child process must not inherit it.
    unwanted = {"SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in unwanted}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_suite_runs_on_postgresql(db):
    # then: the suite talks to the real server, never to SQLite
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_production_mode_without_secret_key_fails_with_one_line():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_fails_with_one_line_naming_database_url():
    result = _manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-grade-secret-for-the-check-only-xyz",
        FIELD_ENCRYPTION_KEYS="ZGV2LW9ubHktZmllbGQta2V5LW5ldmVyLWluLXByb2Q=",
        FIELD_HASH_KEY="test-hash-key",
        ALLOWED_HOSTS="aixin.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
