"""A whole pairing run through the platform: read from PostgreSQL, solve, write proposals.

    make bench-pairing        (or: python bench/pairing_run.py [--scenarios jincheng,large_county,shanxi])

For each scenario of bench/pairing_data.py (children and volunteers placed on real
villages), the database is emptied and filled with Child and Volunteer rows, then:

- in process: ``pairing_instance`` (read) → ``engine.solve`` → ``run_result_save`` (write),
  each timed, for the run's region as one part (Jincheng and the large county);
- end to end on Celery: ``pairing_run_start`` for the region with two real worker
  processes (``celery worker --concurrency 1`` × 2) on Redis; the province is split by
  county into parallel part tasks. Wall time from the start request to the run marked
  done, and the peak RSS of the worker processes.

Children carry what priorities weigh (a quarter 困境, risk levels, open concerns, registration
dates spread over two years), so the run solves with the programme's default priority weights.

Needs PostgreSQL and Redis on 127.0.0.1 and ../shared/data/china-division. Uses its own
database (``PAIRING_BENCH_DB``, default ``caring_mothers_pairing_bench``, dropped and
recreated) and Redis (``PAIRING_BENCH_REDIS``, default ``redis://127.0.0.1:6379/12``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("PAIRING_BENCH_DB", "caring_mothers_pairing_bench")
REDIS_URL = os.environ.get("PAIRING_BENCH_REDIS", "redis://127.0.0.1:6379/12")
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ["CELERY_BROKER_URL"] = REDIS_URL
os.environ["CACHE_URL"] = REDIS_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ["LOG_LEVEL"] = "WARNING"

# bench/pairing_data.py speaks the engine's default skill names; the platform stores codes.
SKILL_CODES = {
    "教师": "teaching",
    "家庭教育": "family_education",
    "医护": "medical",
    "心理咨询": "psychology",
    "法律": "law",
}
PLATFORM_NEEDS = {"study", "daily_life", "psychological", "safety"}


def prepare_database() -> None:
    from pairing_data import DIVISIONS

    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "import_regions", str(DIVISIONS), "--only", "14", "--no-progress", "-v0"],
        cwd=ROOT,
        check=True,
    )


def fill(instance) -> tuple[int, int]:
    """Replace children, volunteers and pairing rows with the instance's, in bulk."""
    from django.db import connection

    from backend.accounts.models import User
    from backend.children.models import Child
    from backend.privacy.crypto import encrypt_text
    from backend.programmes.models import Programme
    from backend.volunteers.models import Volunteer

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE pairing_proposalapproval, pairing_proposal, pairing_rununmatched, pairing_pairingrunpart,"
            " pairing_pairingrun, pairing_pairing, children_concern, children_child, volunteers_volunteer CASCADE"
        )
        cur.execute("DELETE FROM accounts_user WHERE role = 'volunteer'")
    programme, _ = Programme.objects.get_or_create(
        slug="bench", defaults={"name": "bench", "region_id": "14", "pairing_max_distance": 3}
    )
    # Encryption is real but pooled: the bench measures pairing, not Fernet.
    pool = [encrypt_text(f"14052119800101{i:04d}") for i in range(64)]
    users = [
        User(username=f"bv{h.id}", role=User.Role.VOLUNTEER, phone=f"+86139{h.id % 100_000_000:08d}", password="!")
        for h in instance.helpers
    ]
    User.objects.bulk_create(users, batch_size=5000)
    user_ids = dict(User.objects.filter(role=User.Role.VOLUNTEER).values_list("username", "id"))
    volunteers = []
    for i, h in enumerate(instance.helpers):
        v = Volunteer(
            user_id=user_ids[f"bv{h.id}"],
            programme=programme,
            name=f"志愿者{i}",
            gender="F",
            birth_date=datetime.date(1980, 1, 1),
            id_number_hash=f"bench-v-{h.id}",
            id_number_masked="140521********0000",
            phone=f"+86139{h.id % 100_000_000:08d}",
            village_id=h.location[-1],
            skills=sorted(SKILL_CODES[s] for s in h.skills),
            capacity=h.capacity,
        )
        v.id_number = pool[i % len(pool)]
        volunteers.append(v)
    _bulk_raw(Volunteer, volunteers)
    children = []
    for i, b in enumerate(instance.beneficiaries):
        c = Child(
            family_name="王",
            given_name=f"孩{i}",
            gender="F",
            birth_date=datetime.date(2015, 1, 1),
            id_number_hash=f"bench-c-{b.id}",
            id_number_masked="140521********0000",
            village_id=b.location[-1],
            category="in_difficulty" if i % 4 == 0 else "left_behind",
            difficulty_subtype=("orphan", "unsupported", "ill_disabled", "poverty")[i // 4 % 4] if i % 4 == 0 else "",
            risk_level=("low", "low", "low", "medium", "medium", "high")[i % 6],
            guardian_name="王某",
            guardian_relation="grandparent",
            needs=sorted(b.needs & PLATFORM_NEEDS),
            volunteers_wanted=b.wanted,
        )
        c.id_number = pool[i % len(pool)]
        c.guardian_phone = pool[(i + 7) % len(pool)]
        children.append(c)
    _bulk_raw(Child, children)
    with connection.cursor() as cur:
        # registered over the last two years; one child in 20 with an open concern
        cur.execute("UPDATE children_child SET created_at = now() - (id % 730) * interval '1 day'")
        cur.execute(
            "INSERT INTO children_concern (child_id, severity, category, description, status, closing_note, created_at)"
            " SELECT id, 'high', 'neglect', '', 'open', '', now() FROM children_child WHERE id % 20 = 0"
        )
        cur.execute("ANALYZE")
    return len(children), len(volunteers)


def _bulk_raw(model, rows) -> None:
    """bulk_create without re-encrypting the pooled ciphertexts."""
    from backend.privacy.fields import EncryptedTextField

    fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    originals = {f: f.get_prep_value for f in fields}
    try:
        for f in fields:
            f.get_prep_value = lambda value, _f=f: value
        model.objects.bulk_create(rows, batch_size=5000)
    finally:
        for f, fn in originals.items():
            f.get_prep_value = fn


def in_process(region_code: str) -> dict:
    """Time read, solve and write for one region as a single part."""
    from backend.programmes.models import Programme
    from pairing import engine
    from pairing.models import PairingRun
    from pairing.selectors import PLATFORM_LABELS, pairing_instance
    from pairing.services import run_result_save

    programme = Programme.objects.get(slug="bench")
    t0 = time.perf_counter()
    instance = pairing_instance(programme=programme, region_code=region_code)
    t1 = time.perf_counter()
    result = engine.solve_split(instance, PLATFORM_LABELS)
    t2 = time.perf_counter()
    run = PairingRun.objects.create(programme=programme, region_id=region_code, status=PairingRun.Status.DONE)
    run_result_save(run=run, result=result)
    t3 = time.perf_counter()
    return {
        "read_s": t1 - t0,
        "solve_s": t2 - t1,
        "write_s": t3 - t2,
        "covered": result.stats.covered,
        "priority": result.stats.priority_covered,
        "children": result.stats.beneficiaries,
        "proposals": len(result.proposals),
    }


def on_celery(region_code: str) -> dict:
    """Run through pairing_run_start with two real worker processes; wall time and worker RSS."""
    from backend.accounts.models import User
    from backend.programmes.models import Programme
    from backend.regions.models import Region
    from pairing.models import PairingRun
    from pairing.services import pairing_run_start

    programme = Programme.objects.get(slug="bench")
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)
    env = dict(os.environ)
    workers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "celery_app",
                "worker",
                "--concurrency",
                "1",
                "--hostname",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        time.sleep(3)  # let both workers connect before the clock starts
        t0 = time.perf_counter()
        run = pairing_run_start(user=admin, programme=programme, region=Region.objects.get(code=region_code))
        while True:
            run.refresh_from_db()
            if run.status in (PairingRun.Status.DONE, PairingRun.Status.FAILED):
                break
            if time.perf_counter() - t0 > 900:
                raise SystemExit("run did not finish in 15 minutes")
            time.sleep(0.2)
        wall = time.perf_counter() - t0
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(30)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = children.ru_maxrss / 1024
    worker_cpu = children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    return {
        "wall_s": wall,
        "status": run.status,
        "parts": run.parts_total,
        "covered": run.stats.get("covered"),
        "priority": run.stats.get("priority_covered"),
        "children": run.stats.get("beneficiaries"),
        "proposals": run.proposals.count(),
        "worker_peak_mb": peak_mb,
        "worker_cpu_s": worker_cpu,
        "error": run.error,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", default="jincheng,large_county,shanxi")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the rows of the last run's (one) scenario: skip building them"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    if not args.reuse:
        prepare_database()
    import django

    django.setup()
    from request_timing import cpu_calibration_print

    cpu_calibration_print()  # the machine's speed varies from one run to the next: compare runs by it
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    from pairing_data import SCENARIOS, generate, load_villages

    for name in args.scenarios.split(","):
        spec = SCENARIOS[name]
        if args.reuse:
            print(f"\n== {name}: the rows already in {DB_NAME}")
        else:
            instance = generate(
                spec["area"], spec["beneficiaries"], spec["helpers"], villages=load_villages(spec["area"])
            )
            t0 = time.perf_counter()
            n_children, n_volunteers = fill(instance)
            print(
                f"\n== {name}: {n_children} children, {n_volunteers} volunteers on real villages of {spec['area']}"
                f" (loaded in {time.perf_counter() - t0:.1f} s)"
            )
        if name != "shanxi":
            r = in_process(spec["area"])
            print(
                f"  in process: read {r['read_s']:.2f} s, solve {r['solve_s']:.2f} s, write {r['write_s']:.2f} s;"
                f" covered {r['covered']}/{r['children']} (priority {r['priority']:,}), {r['proposals']} proposals"
            )
        r = on_celery(spec["area"])
        print(
            f"  on Celery (2 workers): {r['wall_s']:.1f} s end to end, {r['parts']} part(s), status {r['status']},"
            f" covered {r['covered']}/{r['children']} (priority {r['priority']:,}), {r['proposals']} proposals,"
            f" worker peak RSS {r['worker_peak_mb']:.0f} MiB; workers' CPU {r['worker_cpu_s']:.1f} s (start-up"
            f" included) {r['error'] or ''}"
        )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"\nbench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
