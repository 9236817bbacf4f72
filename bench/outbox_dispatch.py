"""The outbox under load: dispatch and send 100,000 messages, and dispatcher cost vs table size.

Part 1 (throughput): 100,000 due reminders in the outbox, 2 Celery worker processes
(production settings) sending through the real ``twilio`` client to the local Twilio
stand-in, and the dispatcher (what the beat entry runs) claiming due rows in batches.
Prints messages per second and checks the stand-in got each message exactly once.

Part 2 (dispatcher cost): the table grows from 100,000 to 1,000,000 rows (already sent);
at each size 2,000 rows fall due and the dispatcher claims them. Prints the time per due
message, which must stay flat: the dispatcher reads due rows through a partial index,
never the whole table.

    .venv/bin/python bench/outbox_dispatch.py [--messages 100000] [--workers 2] [--concurrency 4]

Uses its own PostgreSQL database (caring_mothers_outbox_bench, recreated) and Redis DBs
8 and 9 unless BENCH_REDIS_URL says otherwise. Nothing leaves the machine.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "caring_mothers_outbox_bench"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
ACCOUNT_SID = "AC" + "0" * 32

ENV = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LW5ldmVyLWluLXByb2Q=",
    "FIELD_HASH_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "CELERY_BROKER_URL": f"{REDIS}/8",
    "CACHE_URL": f"{REDIS}/9",
    "SMS_CHANNEL": "twilio",
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": "bench-token",
    "TWILIO_FROM_NUMBER": "+15005550006",
    # No quiet hours, so the run does not depend on the time of day.
    "QUIET_HOURS": "00:00,00:00",
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "console",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on {port}")


def recreate_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def django_setup() -> None:
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def insert_messages(count: int, *, start: int, status: str, due) -> None:
    from notifications.models import Message

    batch = []
    for i in range(start, start + count):
        batch.append(
            Message(
                channel="sms",
                recipient=f"+8613{i % 1_000_000_000:09d}",
                template="notifications.reminder",
                body=f"【爱心妈妈】王丽您好：本月请给结对的孩子打一次电话（{i}），请于11月30日前完成。",
                status=status,
                urgent=False,
                next_attempt_at=due if status == "pending" else None,
                sent_at=due if status == "sent" else None,
                attempts=1 if status == "sent" else 0,
            )
        )
        if len(batch) == 10_000:
            Message.objects.bulk_create(batch)
            batch = []
    if batch:
        Message.objects.bulk_create(batch)


def start_workers(n: int, concurrency: int, fake_url: str) -> list[subprocess.Popen]:
    env = {**os.environ, **ENV, "TWILIO_API_BASE_URL": fake_url}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "prefork", "-c", str(concurrency),
             "-n", f"bench{i}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for i in range(n)
    ]  # fmt: skip


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in processes:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def throughput(args, fake_url: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from celery_app import app
    from notifications.models import Message
    from notifications.services import outbox_dispatch

    app.control.purge()
    t0 = time.perf_counter()
    insert_messages(args.messages, start=0, status="pending", due=timezone.now())
    print(f"  inserted {args.messages:,} due messages in {time.perf_counter() - t0:.1f} s")
    workers = start_workers(args.workers, args.concurrency, fake_url)
    try:
        time.sleep(3)  # let the workers connect before the clock starts
        start = time.perf_counter()
        dispatch_time, dispatched = 0.0, 0
        while True:
            d0 = time.perf_counter()
            n = outbox_dispatch(batch_size=1000, max_batches=20)
            dispatch_time += time.perf_counter() - d0
            dispatched += n
            with connection.cursor() as cursor:
                cursor.execute("select count(*) from notifications_message where status in ('sent', 'delivered')")
                done = cursor.fetchone()[0]
            if done >= args.messages:
                break
            if time.perf_counter() - start > args.max_seconds:
                print(f"  stopped after {args.max_seconds} s with {done:,} sent")
                break
            time.sleep(0.5 if n == 0 else 0)
        elapsed = time.perf_counter() - start
    finally:
        stop(workers)
    stats = requests.get(f"{fake_url}/_stats", timeout=10).json()
    failed = Message.objects.exclude(status="sent").count()
    print(f"  sent {done:,} messages in {elapsed:.1f} s: {done / elapsed:,.0f} messages/s")
    print(
        f"  dispatcher: {dispatched:,} claimed and enqueued in {dispatch_time:.1f} s ({dispatch_time / max(dispatched, 1) * 1e6:.0f} µs per message)"
    )
    print(
        f"  provider requests {stats['created']:,}, distinct messages {stats['distinct_bodies']:,}, rows not sent {failed}"
    )


CLAIM_SQL = (
    "SELECT id FROM notifications_message WHERE status = 'pending' AND next_attempt_at <= now() "
    "ORDER BY next_attempt_at LIMIT 500 FOR UPDATE SKIP LOCKED"
)


def claim_sql_ms(cursor) -> tuple[float, str]:
    """PostgreSQL's own execution time of one dispatcher batch (median of 5), and the plan's first line."""
    times, plan = [], ""
    for _ in range(5):
        cursor.execute("BEGIN")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + CLAIM_SQL)
        result = cursor.fetchone()[0][0]
        cursor.execute("ROLLBACK")
        times.append(result["Execution Time"])
        node = result["Plan"]
        while node.get("Plans") and node["Node Type"] not in ("Index Scan", "Seq Scan", "Bitmap Heap Scan"):
            node = node["Plans"][0]
        plan = f"{node['Node Type']} on {node.get('Index Name', node.get('Relation Name', ''))}"
    return sorted(times)[2], plan


def dispatcher_scaling(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from celery_app import app
    from notifications.models import Message
    from notifications.services import outbox_dispatch

    # Everything from part 1 is sent: the table holds sent rows only; grow it in steps.
    Message.objects.exclude(status="sent").delete()
    size = Message.objects.count()
    print(
        f"  {'table rows':>12} {'due':>6} {'dispatch ms':>12} {'µs per due msg':>15} "
        f"{'claim SQL ms (500 rows)':>24}  plan"
    )
    for target in (100_000, 250_000, 500_000, 1_000_000):
        if size < target:
            insert_messages(target - size, start=10_000_000 + size, status="sent", due=timezone.now())
            size = target
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_message")
        insert_messages(args.due, start=20_000_000 + size, status="pending", due=timezone.now())
        with connection.cursor() as cursor:
            sql_ms, plan = claim_sql_ms(cursor)
        t0 = time.perf_counter()
        claimed = outbox_dispatch(batch_size=500, max_batches=1000)
        elapsed = time.perf_counter() - t0
        app.control.purge()
        Message.objects.filter(status="queued").update(status="sent", sent_at=timezone.now())
        size += args.due
        print(
            f"  {size:>12,} {claimed:>6} {elapsed * 1000:>12.0f} {elapsed / claimed * 1e6:>15.0f} "
            f"{sql_ms:>24.2f}  {plan}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="processes per worker")
    parser.add_argument("--due", type=int, default=2_000, help="due rows per step of part 2")
    parser.add_argument("--max-seconds", type=int, default=1800)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true", help="part 1 only")
    args = parser.parse_args()

    recreate_database()
    django_setup()
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.standins.twilio_fake", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_port(port)
        fake_url = f"http://127.0.0.1:{port}"
        print(f"Outbox benchmark: {args.workers} workers × {args.concurrency} processes, fake Twilio at {fake_url}")
        if not args.skip_throughput:
            print("Part 1: dispatch and send")
            throughput(args, fake_url)
        if not args.skip_scaling:
            print("Part 2: dispatcher time per due message as the table grows")
            dispatcher_scaling(args)
    finally:
        stop([fake])


if __name__ == "__main__":
    main()
