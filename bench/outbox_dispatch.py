"""The outbox under load: dispatch and send 100,000 messages, and dispatcher cost vs table size.

Part 1 (throughput), for each provider of ``--providers`` (twilio, aliyun, tencent): first the
bare client's ceiling, the vendor's real SDK called in a loop by as many processes as the
workers have (workers × concurrency), with the request shape the outbox uses (Aliyun:
SendBatchSms of OUTBOX_SEND_BATCH numbers; Tencent and Twilio: one number a request), against
the provider's local stand-in; for every provider (all three batch now) then the same
work without the outbox: N due rows of the same table, claimed 100 at a time by as many
processes with the outbox's claim statement in raw psycopg, sent with the SDK and recorded with
the outbox's result statement (no Celery, no Django, no hold-back checks); then the outbox: N
due reminders, 2 Celery workers (production settings) sending through the same SDK to the same
stand-in, and the dispatcher (what the beat entry runs) claiming due rows in batches. Prints
messages per second, the outbox's share of the bare ceiling and of the same work, and checks
the stand-in got each message exactly once.

Part 2 (dispatcher cost): the table grows from 100,000 to 1,000,000 rows (already sent);
at each size 2,000 rows fall due and the dispatcher claims them. Prints the time per due
message, which must stay flat: the dispatcher reads due rows through a partial index,
never the whole table.

    .venv/bin/python bench/outbox_dispatch.py [--messages 100000] [--workers 2] [--concurrency 4]
    .venv/bin/python bench/outbox_dispatch.py --providers aliyun,tencent --messages 20000 --skip-scaling

Uses its own PostgreSQL database (caring_mothers_outbox_bench, recreated) and Redis DBs
8 and 9 unless BENCH_REDIS_URL says otherwise. Nothing leaves the machine.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_NAME", "caring_mothers_outbox_bench")
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


def process_cpu(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes and their children alive now, by pid."""
    found = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                found[proc.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return found


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving the bench's database, by pid.

    The server is shared with the other engineers' test databases: only backends whose
    process title names this database count (not the server's own writer processes).
    """
    found = {}
    for proc in psutil.process_iter(["name", "cmdline"]):
        title = " ".join(proc.info["cmdline"] or [])
        if (proc.info["name"] or "").startswith("postgres") and f" {DB_NAME} " in f" {title} ":
            try:
                times = proc.cpu_times()
                found[proc.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    return found


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    # A process that started in the window counts whole; one that ended in it is lost (a little).
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


class Window:
    """Wall time, CPU seconds (machine-wide, PostgreSQL's, and named process groups') and load over a window."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {"PostgreSQL": postgres_cpu(), **{name: process_cpu(pids) for name, pids in self.groups.items()}}

    def __enter__(self):
        self.t0, self.machine0, self.before = time.perf_counter(), psutil.cpu_times(), self.snapshot()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        after, machine1 = self.snapshot(), psutil.cpu_times()
        busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + t.steal  # noqa: E731
        self.machine_cpu = busy(machine1) - busy(self.machine0)
        self.cpu = {name: cpu_since(self.before[name], after[name]) for name in after}
        self.load = os.getloadavg()[0]

    def report(self, messages: int) -> str:
        parts = ", ".join(f"{name} {cpu:.1f} ({cpu / messages * 1e6:.0f} µs/msg)" for name, cpu in self.cpu.items())
        return (
            f"{self.wall:.1f} s wall; CPU s: machine {self.machine_cpu:.1f} of {psutil.cpu_count() * self.wall:.1f} "
            f"(load {self.load:.1f}), {parts}"
        )


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


def insert_messages(count: int, *, start: int, status: str, due, provider: str = "twilio") -> None:
    from notifications.models import Message

    batch = []
    for i in range(start, start + count):
        batch.append(
            Message(
                channel="sms",
                recipient=f"+8613{i % 1_000_000_000:09d}",
                template="notifications.reminder",
                params=reminder_params(i) if provider != "twilio" else {},
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


def start_workers(n: int, concurrency: int, env_extra: dict) -> list[subprocess.Popen]:
    env = {**os.environ, **ENV, **env_extra}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "prefork", "-c", str(concurrency),
             "-n", f"bench{i}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for i in range(n)
    ]  # fmt: skip


# --- the providers: their stand-ins, settings and a bare client -------------------------------

REMINDER = "notifications.reminder"
PROVIDER_CODES = {"aliyun": "SMS_470000001", "tencent": "2100001"}


def provider_env(provider: str, url: str) -> dict:
    """The settings that point a provider's SDK at its stand-in (the test keys of the stand-ins)."""
    import json

    from tests.notifications.standins import domestic_sms as keys

    if provider == "twilio":
        return {"SMS_CHANNEL": "twilio", "TWILIO_API_BASE_URL": url}
    common = {
        "SMS_CHANNEL": provider,
        "SMS_PROVIDER_TEMPLATES": json.dumps({provider: {REMINDER: PROVIDER_CODES[provider]}}),
        "SMS_PROVIDER_TIMEOUT_SECONDS": "30",
    }
    if provider == "aliyun":
        return common | {
            "ALIYUN_SMS_ACCESS_KEY_ID": keys.ALIYUN_KEY_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": keys.ALIYUN_KEY_SECRET,
            "ALIYUN_SMS_SIGN_NAME": keys.SIGN_NAME,
            "ALIYUN_SMS_ENDPOINT": url,
        }
    return common | {
        "TENCENT_SMS_SECRET_ID": keys.TENCENT_SECRET_ID,
        "TENCENT_SMS_SECRET_KEY": keys.TENCENT_SECRET_KEY,
        "TENCENT_SMS_SDK_APP_ID": keys.TENCENT_APP_ID,
        "TENCENT_SMS_SIGN_NAME": keys.SIGN_NAME,
        "TENCENT_SMS_ENDPOINT": url,
    }


def start_standin(provider: str, port: int) -> subprocess.Popen:
    if provider == "twilio":
        command = ["tests.notifications.standins.twilio_fake", str(port)]
    else:
        command = [
            "tests.notifications.standins.domestic_sms",
            provider,
            str(port),
            f"{PROVIDER_CODES[provider]}=volunteer,task,due",
        ]
    return subprocess.Popen(
        [sys.executable, "-m", *command], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )  # fmt: skip


def reminder_params(i: int) -> dict:
    # Each volunteer's own values (so Tencent cannot put two in one request), within Tencent's 12 characters.
    return {"volunteer": "王丽", "task": f"电话{i}", "due": "11月30日"}


def _bare_send(job: tuple[str, int, int, int]) -> int:
    """Send ``count`` messages from ``start`` with the provider's SDK alone (runs in a child process)."""
    provider, start, count, batch = job
    from django.conf import settings

    if provider == "twilio":
        from notifications.channels.sms import twilio_client

        client = twilio_client()
        for i in range(start, start + count):
            client.messages.create(to=f"+8613{i:09d}", body=f"【爱心妈妈】bare {i}", from_=settings.TWILIO_FROM_NUMBER)
        return count
    if provider == "aliyun":
        import json

        from alibabacloud_dysmsapi20170525 import models as dysms

        from notifications.channels.aliyun import aliyun_client

        client = aliyun_client()
        for first in range(start, start + count, batch):
            numbers = range(first, min(first + batch, start + count))
            body = client.send_batch_sms(
                dysms.SendBatchSmsRequest(
                    phone_number_json=json.dumps([f"13{i:09d}" for i in numbers]),
                    sign_name_json=json.dumps([settings.ALIYUN_SMS_SIGN_NAME] * len(numbers), ensure_ascii=False),
                    template_code=PROVIDER_CODES["aliyun"],
                    template_param_json=json.dumps([reminder_params(i) for i in numbers], ensure_ascii=False),
                    out_id=f"bare{first}",
                )
            ).body
            assert body.code == "OK", body.code
        return count
    from tencentcloud.sms.v20210111 import models as sms_models

    from notifications.channels.tencent import tencent_client

    client = tencent_client()
    for i in range(start, start + count):
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [f"+8613{i:09d}"]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = PROVIDER_CODES["tencent"]
        request.TemplateParamSet = list(reminder_params(i).values())
        request.SessionContext = f"bare{i}"
        status = client.SendSms(request).SendStatusSet[0]
        assert status.Code == "Ok", status.Code
    return count


def bare_ceiling(provider: str, processes: int, messages: int, batch: int, standin_pid: int) -> float:
    """Messages per second of the bare SDK from ``processes`` processes against the stand-in."""
    import multiprocessing

    per = messages // processes
    jobs = [(provider, 50_000_000 + p * per, per, batch) for p in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_bare_send, [(provider, 90_000_000 + p * 1000, batch, batch) for p in range(processes)])  # warm up
        groups = {"SDK processes": [c.pid for c in multiprocessing.active_children()], "stand-in": [standin_pid]}
        with Window(groups) as window:
            sent = sum(pool.map(_bare_send, jobs))
    print(f"  bare: {sent:,} in {window.report(sent)}")
    return sent / window.wall


# --- the same work without the outbox: claim, send, write, in raw SQL -----------------------

# The statements of notifications/services/batch.py (_claim_due and _sent_write), written out
# here so the loop below needs neither Django nor the outbox: the same claim (pending → sending
# with the batch's tag, FOR UPDATE SKIP LOCKED, each number once) and the same result write.
SAME_WORK_CLAIM = (
    "WITH candidates AS ("
    " SELECT id, recipient, next_attempt_at FROM notifications_message"
    " WHERE status = 'pending' AND next_attempt_at <= now()"
    " AND channel = 'sms'"  # sms_route_filter_sql(provider) when SMS_CHANNEL names the provider alone
    " ORDER BY next_attempt_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
    "), chosen AS ("
    " SELECT DISTINCT ON (recipient) id FROM candidates ORDER BY recipient, next_attempt_at, id"
    ") UPDATE notifications_message AS m SET status = 'sending', attempts = m.attempts + 1, claimed_at = now(),"
    " provider = %(provider)s, provider_id = %(tag)s FROM chosen WHERE m.id = chosen.id"
    " RETURNING m.id, m.recipient, m.params, m.body, (SELECT count(*) FROM candidates)"
)
SAME_WORK_WRITE = (
    "UPDATE notifications_message AS m SET status = 'sent', provider = %s, provider_id = v.pid, segments = v.seg,"
    " sent_at = now(), next_attempt_at = NULL, last_error = '', error_code = '', params = m.params - '_sealed'::text"
    " FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS v(id, pid, seg) WHERE m.id = v.id AND m.status = 'sending'"
)
_same_work_db = None


def _same_work_batch(provider: str, rows: list[tuple], tag: str) -> list[str]:
    """Send claimed rows with the provider's SDK alone; return each row's provider id."""
    from django.conf import settings

    if provider == "aliyun":
        from alibabacloud_dysmsapi20170525 import models as dysms

        from notifications.channels.aliyun import aliyun_client

        body = (
            aliyun_client()
            .send_batch_sms(
                dysms.SendBatchSmsRequest(
                    phone_number_json=json.dumps([recipient.removeprefix("+86") for _id, recipient, _p, _b in rows]),
                    sign_name_json=json.dumps([settings.ALIYUN_SMS_SIGN_NAME] * len(rows), ensure_ascii=False),
                    template_code=PROVIDER_CODES["aliyun"],
                    template_param_json=json.dumps([params for _id, _r, params, _b in rows], ensure_ascii=False),
                    out_id=tag,
                )
            )
            .body
        )
        assert body.code == "OK", body.code
        return [body.biz_id] * len(rows)
    if provider == "twilio":
        from notifications.channels.sms import twilio_client

        client = twilio_client()
        return [  # Twilio has no batch call: one request a message on the client's one session
            client.messages.create(to=recipient, body=body, from_=settings.TWILIO_FROM_NUMBER).sid
            for _id, recipient, _params, body in rows
        ]
    from tencentcloud.sms.v20210111 import models as sms_models

    from notifications.channels.tencent import tencent_client

    ids = []
    for _id, recipient, params, _body in rows:  # every reminder's values differ: one number a request
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [recipient]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = PROVIDER_CODES["tencent"]
        request.TemplateParamSet = [params["volunteer"], params["task"], params["due"]]
        request.SessionContext = tag
        status = tencent_client().SendSms(request).SendStatusSet[0]
        assert status.Code == "Ok", status.Code
        ids.append(status.SerialNo)
    return ids


def _same_work_send(job: tuple[str, int]) -> int:
    """Claim, send and record due rows until none are left (runs in a child process); return how many."""
    global _same_work_db
    provider, batch = job
    if _same_work_db is None:
        _same_work_db = psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True)
    sent = 0
    while True:
        tag = "out:" + secrets.token_hex(10)
        rows = _same_work_db.execute(SAME_WORK_CLAIM, {"provider": provider, "limit": batch, "tag": tag}).fetchall()
        if not rows:
            return sent
        rows = [row[:4] for row in rows]
        provider_ids = _same_work_batch(provider, rows, tag)
        _same_work_db.execute(SAME_WORK_WRITE, [provider, [row[0] for row in rows], provider_ids, [1] * len(rows)])
        sent += len(rows)


def same_work_ceiling(args, fake_url: str, provider: str, processes: int, standin_pid: int) -> float:
    """Messages per second of the outbox's own statements and SDK call, without Celery or Django, from ``processes``."""
    import multiprocessing

    from django.db import connection
    from django.utils import timezone

    from notifications.models import Message

    Message.objects.all().delete()
    connection.close()  # the children open their own connections; none inherits this one
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        # Warm up as the others do: one batch per process (its SDK client and connection).
        insert_messages(
            processes * args.send_batch, start=80_000_000, status="pending", due=timezone.now(), provider=provider
        )
        pool.map(_same_work_send, [(provider, args.send_batch)] * processes, chunksize=1)
        Message.objects.all().delete()
        insert_messages(args.messages, start=0, status="pending", due=timezone.now(), provider=provider)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_message")
        connection.close()
        before = requests.get(f"{fake_url}/_stats", timeout=10).json()["created"]
        groups = {"processes": [c.pid for c in multiprocessing.active_children()], "stand-in": [standin_pid]}
        with Window(groups) as window:
            sent = sum(pool.map(_same_work_send, [(provider, args.send_batch)] * processes, chunksize=1))
    accepted = requests.get(f"{fake_url}/_stats", timeout=10).json()["created"] - before
    left = Message.objects.exclude(status="sent").count()
    print(f"  same work: {sent:,} in {window.report(max(sent, 1))}")
    print(f"  provider accepted {accepted:,}, rows not sent {left}")
    return sent / window.wall


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


def throughput(args, fake_url: str, provider: str, standin_pid: int) -> float:
    from django.db import connection
    from django.utils import timezone

    from celery_app import app
    from notifications.models import Message
    from notifications.services import outbox_dispatch

    app.control.purge()
    Message.objects.all().delete()
    workers = start_workers(args.workers, args.concurrency, provider_env(provider, fake_url))
    try:
        time.sleep(3)  # let the workers connect before the clock starts
        if provider != "twilio":
            # As the bare client warmed up: one batch per pool process first (its SDK client,
            # its database connection), off the clock and out of the count.
            warm = args.workers * args.concurrency * args.send_batch
            insert_messages(warm, start=80_000_000, status="pending", due=timezone.now(), provider=provider)
            while Message.objects.filter(status="sent").count() < warm:
                outbox_dispatch(batch_size=1000, max_batches=20)
                time.sleep(1)
            Message.objects.all().delete()
        t0 = time.perf_counter()
        insert_messages(args.messages, start=0, status="pending", due=timezone.now(), provider=provider)
        print(f"  inserted {args.messages:,} due messages in {time.perf_counter() - t0:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_message")
        before = requests.get(f"{fake_url}/_stats", timeout=10).json()["created"]
        dispatch_time, dispatched, next_dispatch = 0.0, 0, 0.0
        with Window({"workers": [w.pid for w in workers], "stand-in": [standin_pid]}) as window:
            start = time.perf_counter()
            while True:
                # The dispatcher runs as beat runs it: every OUTBOX_DISPATCH_INTERVAL seconds.
                if time.perf_counter() >= next_dispatch:
                    d0 = time.perf_counter()
                    dispatched += outbox_dispatch(batch_size=1000, max_batches=20)
                    dispatch_time += time.perf_counter() - d0
                    next_dispatch = time.perf_counter() + args.dispatch_interval
                with connection.cursor() as cursor:
                    # Rows not yet done, through the partial indexes (cheap as the backlog shrinks).
                    cursor.execute(
                        "select (select count(*) from notifications_message where status = 'pending') + "
                        "(select count(*) from notifications_message where status in ('queued', 'sending'))"
                    )
                    done = args.messages - cursor.fetchone()[0]
                if done >= args.messages:
                    break
                if time.perf_counter() - start > args.max_seconds:
                    print(f"  stopped after {args.max_seconds} s with {done:,} sent")
                    break
                time.sleep(0.2)
        elapsed = window.wall
    finally:
        stop(workers)
    stats = requests.get(f"{fake_url}/_stats", timeout=10).json()
    stats.setdefault("distinct_bodies", stats.get("distinct", 0))
    stats["created"] -= before
    failed = Message.objects.exclude(status="sent").count()
    print(f"  sent {done:,} messages: {done / elapsed:,.0f} messages/s; {window.report(max(done, 1))}")
    print(
        f"  dispatcher (in this process): {dispatched:,} handed out in {dispatch_time:.2f} s "
        f"({dispatch_time / max(dispatched, 1) * 1e6:.0f} µs per message)"
    )
    print(
        f"  provider accepted {stats['created']:,}, distinct messages {stats['distinct_bodies']:,}, rows not sent {failed}"
    )
    return done / elapsed


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
    parser.add_argument("--providers", default="twilio", help="comma-separated: twilio, aliyun, tencent")
    parser.add_argument("--bare-messages", type=int, default=8_000, help="messages of the bare-client ceiling")
    parser.add_argument("--send-batch", type=int, default=100, help="OUTBOX_SEND_BATCH (numbers per batch)")
    parser.add_argument("--skip-same-work", action="store_true", help="no same-work ceiling (claim, SDK, write)")
    parser.add_argument("--dispatch-interval", type=float, default=15.0, help="seconds between dispatcher runs (beat)")
    args = parser.parse_args()

    recreate_database()
    django_setup()
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    from django.conf import settings

    os.environ["OUTBOX_SEND_BATCH"] = str(args.send_batch)
    settings.OUTBOX_SEND_BATCH = args.send_batch
    print(f"Outbox benchmark: {args.workers} workers × {args.concurrency} processes; providers {', '.join(providers)}")
    if not args.skip_throughput:
        print("Part 1: dispatch and send")
        summary = []
        for provider in providers:
            port = free_port()
            standin = start_standin(provider, port)
            try:
                wait_port(port)
                fake_url = f"http://127.0.0.1:{port}"
                os.environ.update(provider_env(provider, fake_url))
                for key, value in provider_env(provider, fake_url).items():
                    setattr(settings, key, json.loads(value) if key == "SMS_PROVIDER_TEMPLATES" else value)
                processes = args.workers * args.concurrency
                print(f" {provider} (stand-in at {fake_url})")
                ceiling = bare_ceiling(provider, processes, args.bare_messages, args.send_batch, standin.pid)
                print(f"  bare SDK, {processes} processes: {ceiling:,.0f} messages/s")
                same = None
                if not args.skip_same_work:
                    same = same_work_ceiling(args, fake_url, provider, processes, standin.pid)
                    print(f"  same work (claim, SDK, write; raw SQL), {processes} processes: {same:,.0f} messages/s")
                rate = throughput(args, fake_url, provider, standin.pid)
                print(f"  outbox / bare ceiling: {rate / ceiling:.0%}")
                if same:
                    print(f"  outbox / same work: {rate / same:.0%}")
                summary.append((provider, ceiling, same, rate))
            finally:
                stop([standin])
        print(f" {'provider':<10} {'bare SDK':>10} {'same work':>10} {'outbox':>10} {'/ bare':>7} {'/ same':>7}  msg/s")
        for provider, ceiling, same, rate in summary:
            same_cols = f"{same:>10,.0f}" if same else f"{'-':>10}"
            same_ratio = f"{rate / same:>7.0%}" if same else f"{'-':>7}"
            print(f" {provider:<10} {ceiling:>10,.0f} {same_cols} {rate:>10,.0f} {rate / ceiling:>7.0%} {same_ratio}")
    if not args.skip_scaling:
        print("Part 2: dispatcher time per due message as the table grows")
        settings.SMS_CHANNEL = "twilio"  # rows the dispatcher claims itself (queued), as part 2 measures
        dispatcher_scaling(args)


if __name__ == "__main__":
    main()
