"""Application submissions through the real stack under concurrent load.

Starts gunicorn (production settings: DEBUG off, whitenoise, PostgreSQL, Redis cache) on a
fresh PostgreSQL database, then simulates applicants on loopback threads. Each applicant
does what a phone does on /apply/: load the form, ask for the SMS code, read it (here:
from the outbox row in the database, as the phone would from its inbox), and submit the
form with the code. Production behaviour is unchanged: codes, rate limits and honeypot
all apply; each simulated applicant comes from her own address (X-Forwarded-For), as
real applicants do.

    .venv/bin/python bench/applications_load.py --applicants 400 --concurrency 16 --workers 3

Prints throughput (applications per second) and p50/p95/max latency per step. The run is
bounded by --applicants and --max-seconds. Needs PostgreSQL and Redis on 127.0.0.1.
"""

import argparse
import concurrent.futures
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def id_number(index: int) -> str:
    birth = f"{1970 + index % 30}{1 + index % 12:02d}{1 + index % 28:02d}"
    base = f"140521{birth}{(index * 2) % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


class Applicant:
    """One simulated phone: its own cookies, address and timings."""

    def __init__(self, base: str, index: int, villages: list[str], db_url: str):
        self.base = base
        self.index = index
        self.village = villages[index % len(villages)]
        self.phone = f"158{index:08d}"
        self.id_number = id_number(index)
        self.ip = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
        self.cookies: dict[str, str] = {}
        self.session = requests.Session()
        self.db_url = db_url
        self.timings: dict[str, float] = {}

    def _headers(self) -> dict:
        # Production cookies are Secure: the "proxy" says the request came over HTTPS.
        return {
            "X-Forwarded-For": self.ip,
            "X-Forwarded-Proto": "https",
            "Origin": self.base.replace("http://", "https://"),
            "Referer": self.base.replace("http://", "https://") + "/apply/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "User-Agent": "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0.47 bench",
        }

    def _keep(self, response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def _timed(self, step: str, method: str, path: str, **kwargs):
        start = time.perf_counter()
        response = self.session.request(
            method, self.base + path, headers=self._headers(), allow_redirects=False, timeout=30, **kwargs
        )
        self.timings[step] = time.perf_counter() - start
        self._keep(response)
        return response

    def run(self) -> bool:
        form = self._timed("1 GET /apply/", "GET", "/apply/")
        if form.status_code != 200:
            raise RuntimeError(f"form: {form.status_code}")
        csrf = self.cookies.get("csrftoken", "")
        data = {
            "csrfmiddlewaretoken": csrf,
            "name": "压测申请人",
            "gender": "F",
            "id_number": self.id_number,
            "phone": self.phone,
            "county": self.village[:6],
            "town": self.village[:9],
            "village": self.village,
            "workplace": "某单位",
            "occupation": "教师",
            "skills": ["teaching"],
            "capacity": "2",
            "availability": ["weekends"],
            "joins_team": "yes",
            "motivation": "bench",
            "declarations": ["no_criminal_record", "good_health"],
            "consent": "on",
        }
        sent = self._timed("2 POST send_code", "POST", "/apply/", data={**data, "action": "send_code"})
        if sent.status_code != 200:
            raise RuntimeError(f"send_code: {sent.status_code}")
        with psycopg.connect(self.db_url) as conn:
            row = conn.execute(
                "select params->>'code' from notifications_message where recipient = %s and template = 'phone_code' "
                "order by id desc limit 1",
                ["+86" + self.phone],
            ).fetchone()
        done = self._timed("3 POST submit", "POST", "/apply/", data={**data, "code": row[0], "action": "submit"})
        if done.status_code != 302:
            errors = re.findall(r'class="field-error"[^>]*>([^<]+)<', done.text)
            raise RuntimeError(f"submit: {done.status_code} {errors[:3]}")
        return True


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def prepare(db_name: str, env: dict) -> None:
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", db_name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db_name], check=True)
    run = lambda *args: subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: E731
    run("migrate", "-v0")
    run("collectstatic", "--noinput", "-v0")
    run("import_regions", "--no-progress")
    run(
        "shell",
        "-c",
        "from backend.programmes.models import Programme; "
        "Programme.objects.get_or_create(slug='bench', defaults={'name': '压测项目', 'region_id': '1405'})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--database", default="caring_mothers_bench_recruit")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="uses DBs 4 (broker) and 5 (cache)")
    args = parser.parse_args()

    db_url = f"{PG}/{args.database}"
    var_dir = tempfile.mkdtemp(prefix="bench-recruit-")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=",
        "FIELD_HASH_KEY": "bench-only-hash-key",
        "DATABASE_URL": db_url,
        "CACHE_URL": f"{args.redis}/5",
        "CELERY_BROKER_URL": f"{args.redis}/4",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }
    print(f"preparing {db_url} ...", flush=True)
    prepare(args.database, env)
    import redis

    for db in (4, 5):
        redis.Redis.from_url(f"{args.redis}/{db}").flushdb()
    with psycopg.connect(db_url) as conn:
        villages = [
            r[0]
            for r in conn.execute(
                "select code from regions_region where level = 5 and code like '1405%%' order by code"
            ).fetchall()
        ]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "backend.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/apply/", timeout=10, headers={"X-Forwarded-Proto": "https"})
                break
            except requests.RequestException:
                time.sleep(0.2)  # waiting for the server to listen (bench only)
        deadline = time.perf_counter() + args.max_seconds
        results, failures = [], []
        lock = threading.Lock()

        def one(index: int) -> None:
            if time.perf_counter() > deadline:
                return
            applicant = Applicant(base, index, villages, db_url)
            start = time.perf_counter()
            try:
                applicant.run()
                with lock:
                    results.append((time.perf_counter() - start, applicant.timings))
            except Exception as exc:  # noqa: BLE001 - count and report every failure
                with lock:
                    failures.append(str(exc)[:200])

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(one, range(1, args.applicants + 1)))
        wall = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    with psycopg.connect(db_url) as conn:
        stored = conn.execute("select count(*) from volunteers_application").fetchone()[0]
    print(
        f"\ngunicorn workers {args.workers}, concurrency {args.concurrency}, "
        f"applicants {len(results)} ok / {len(failures)} failed, {stored} rows stored, wall {wall:.1f} s"
    )
    print(f"throughput: {len(results) / wall:.1f} applications/s ({3 * len(results) / wall:.1f} requests/s)")
    steps = sorted({step for _, t in results for step in t})
    print(f"{'step':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for step in steps:
        values = [t[step] for _, t in results if step in t]
        print(
            f"{step:<22}{percentile(values, 0.5) * 1000:9.0f}{percentile(values, 0.95) * 1000:9.0f}{max(values) * 1000:9.0f}"
        )
    whole = [total for total, _ in results]
    if whole:
        print(
            f"{'whole applicant flow':<22}{statistics.median(whole) * 1000:9.0f}"
            f"{percentile(whole, 0.95) * 1000:9.0f}{max(whole) * 1000:9.0f}"
        )
    for failure in failures[:5]:
        print("failure:", failure)


if __name__ == "__main__":
    main()
