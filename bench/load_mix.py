"""`make load`: gunicorn on PostgreSQL + Redis under a realistic mix, driven by locust on loopback.

Prepares a separate database (caring_mothers_load: migrated and seeded with the demo
data; kept between runs), starts gunicorn (production settings, several workers),
signs in staff and volunteers (sessions made directly, see load_locustfile.py), runs
locust headless for LOAD_SECONDS (default 300), and prints throughput, p50/p95/p99,
the error rate and the RSS of each gunicorn worker at the start and the end.

    LOAD_SECONDS=60 LOAD_USERS=40 .venv/bin/python bench/load_mix.py
"""

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
SECONDS = int(os.environ.get("LOAD_SECONDS", "300"))
USERS = int(os.environ.get("LOAD_USERS", "40"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
DATABASE = os.environ.get("LOAD_DATABASE", "caring_mothers_load")
REDIS = os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379")  # DBs 12 (broker) and 13 (cache)

SESSIONS_SCRIPT = r"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from backend.accounts.models import User
from backend.volunteers.models import Volunteer
from pairing.models import Pairing

def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.set_expiry(12 * 3600)
    s.create()
    return {"sessionid": s.session_key, "csrftoken": _get_new_csrf_string()}

out = {"staff": [], "volunteer": []}
for user in User.objects.filter(role="staff", is_active=True).exclude(home_region=None)[:10]:
    out["staff"].append(session_for(user))
for volunteer in Volunteer.objects.filter(pairings__status="active").exclude(user=None).distinct()[:30]:
    children = list(Pairing.objects.filter(volunteer=volunteer, status="active").values_list("child_id", flat=True))
    out["volunteer"].append({**session_for(volunteer.user), "children": children})
print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def prepare(env: dict) -> None:
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"select 1 from pg_database where datname='{DATABASE}'"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "seed_demo")


def rss_mb(master: psutil.Process) -> list[float]:
    return sorted(round(c.memory_info().rss / 2**20, 1) for c in master.children())


def main() -> None:
    var_dir = tempfile.mkdtemp(prefix="load-")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "load-only-" + "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "bG9hZC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE=",
        "FIELD_HASH_KEY": "load-only-hash-key",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "CELERY_BROKER_URL": f"{REDIS}/12",
        "CACHE_URL": f"{REDIS}/13",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }
    print(f"preparing {DATABASE} (migrate, collectstatic, seed_demo) ...", flush=True)
    prepare(env)
    sessions = Path(var_dir) / "sessions.json"
    sessions.write_text(manage(env, "shell", "-c", SESSIONS_SCRIPT, capture=True).strip().splitlines()[-1])
    counts = {k: len(v) for k, v in json.loads(sessions.read_text()).items()}
    print(f"sessions: {counts}", flush=True)

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "backend.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(WORKERS), "--timeout", "60", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                requests.get(f"{host}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)  # waiting for gunicorn to listen (bench only)
        master = psutil.Process(server.pid)
        # Warm every worker up before the first RSS reading.
        for _ in range(WORKERS * 5):
            requests.get(f"{host}/apply/", headers={"X-Forwarded-Proto": "https"}, timeout=30)
        rss_start = rss_mb(master)
        prefix = Path(var_dir) / "locust"
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "load_locustfile.py")]
            + ["--headless", "--host", host, "-u", str(USERS), "-r", str(max(1, USERS // 10))]
            + ["-t", f"{SECONDS}s", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT,
            env={**env, "LOAD_SESSIONS": str(sessions)},
            check=False,
        )
        rss_end = rss_mb(master)
        health = requests.get(f"{host}/healthz", timeout=10).json()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    print(f"\n{'request':34} {'count':>7} {'fail':>5} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in rows:
        print(
            f"{row['Name'][:34]:34} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests_n, failures = int(total["Request Count"]), int(total["Failure Count"])
    print(
        f"\n{SECONDS} s, {USERS} users, {WORKERS} gunicorn workers: {requests_n} requests, "
        f"{float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms, errors {failures} ({100 * failures / max(requests_n, 1):.2f} %)"
    )
    print(f"gunicorn worker RSS (MB) start {rss_start} end {rss_end}; health after: {health.get('status', health)}")
    with open(f"{prefix}_failures.csv") as f:
        failed = list(csv.DictReader(f))
    for row in failed[:20]:
        print("FAILURE", row)


if __name__ == "__main__":
    main()
