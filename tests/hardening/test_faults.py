"""Faults on real services (issue 9): a worker killed mid-batch, Redis stopped, Twilio down for a while.

Each test runs real processes (a Celery worker, a private redis-server, the local Twilio
stand-in) and counts, at the stand-in, what reached "the provider": every message exactly once.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone
from kombu import pools
from kombu.exceptions import OperationalError

from celery_app import app
from notifications.models import Message
from notifications.services import outbox_dispatch
from tests.notifications.conftest import _free_port, twilio_settings
from tests.notifications.standins.twilio_fake import FakeTwilio
from tests.notifications.test_worker import ROOT, _kill, _worker_process, kill_mid_batch_then_recover, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _messages(count: int, prefix: str) -> list[Message]:
    now = timezone.now()
    return Message.objects.bulk_create(
        Message(
            channel=Message.Channel.SMS,
            recipient=f"+86136{i:08d}",
            template="notifications.reminder",
            body=f"【爱心妈妈】{prefix} 第{i}条",
            status=Message.Status.PENDING,
            next_attempt_at=now,
            urgent=True,
        )
        for i in range(count)
    )


def _states() -> dict[str, int]:
    return dict(Counter(Message.objects.values_list("status", flat=True)))


def _tail(path) -> str:
    return path.read_text()[-3000:] if path.exists() else ""


@pytest.fixture
def empty_queue():
    app.control.purge()
    yield
    app.control.purge()


def test_a_worker_killed_while_sending_a_thousand_reminders_sends_each_exactly_once(empty_queue, tmp_path, settings):
    count = 1000
    log = tmp_path / "worker.log"
    with FakeTwilio() as fake:
        twilio_settings(settings, fake.url)  # recovery reconciles with the same "Twilio"
        # One message is accepted but its answer never arrives: the worker dies between the
        # provider's acceptance and our write, the case reconciliation exists for.
        fake.hang_after_accepting = 250
        messages = _messages(count, "千条提醒")
        # given: a thousand due reminders enqueued; when: the worker and its pool are SIGKILLed
        # mid-batch; then: a fresh worker, recovery and the dispatcher finish the batch
        kill_mid_batch_then_recover(fake, log, count=count, kill_after=300, timeout=120)
        created = Counter(m["body"] for m in fake.created)
        assert [b for b, n in created.items() if n > 1] == []
        assert len(fake.created) == count
        assert all(created[m.body] == 1 for m in messages)
        assert _states() == {Message.Status.SENT: count}
        assert Message.objects.filter(last_error__startswith="对账").exists()


# --- Redis stopped -----------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# The issue asks for 30 s; REDIS_OUTAGE_SECONDS=10 makes a quicker local run.
REDIS_OUTAGE_SECONDS = float(os.environ.get("REDIS_OUTAGE_SECONDS", "30"))


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port: stopped and started at will."""

    def __init__(self, directory):
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=(self.directory / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert wait_for(self.answers, timeout=10), "the private redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            _kill(self.process)
            self.process = None

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False


def _point_celery_at(url: str) -> None:
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app.conf.broker_read_url = url
    # The connection and producer pools (kombu's, keyed by URL) hold the old broker: drop them.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path, settings):
    """Celery and the cache on a private redis-server; the shared Redis is never touched."""
    server = PrivateRedis(tmp_path)
    server.start()
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = f"{server.url}/0"
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"{server.url}/1",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    _point_celery_at(settings.CELERY_BROKER_URL)
    try:
        yield server
    finally:
        server.stop()
        _point_celery_at(original)


def test_a_redis_outage_degrades_health_loses_no_reminder_and_sends_each_once_after(
    private_redis, tmp_path, settings, client
):
    from tests.factories import SuperuserFactory

    log = tmp_path / "worker.log"
    count = 50
    with FakeTwilio() as fake:
        twilio_settings(settings, fake.url)
        client.force_login(SuperuserFactory(username="faults_root"))
        assert client.get("/healthz").json()["status"] == "ok"
        messages = _messages(count, "停机提醒")

        # when: Redis stops, with every reminder due
        private_redis.stop()
        stopped_at = time.monotonic()

        # then: health answers, degraded, naming the broker and the cache
        response = client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["broker"]["ok"] is False
        assert body["cache"]["ok"] is False
        assert body["database"]["ok"] is True
        # the dispatcher cannot enqueue, and loses nothing: the rows go back to pending
        with pytest.raises(OperationalError):
            outbox_dispatch()
        assert _states() == {Message.Status.PENDING: count}
        # pages that need only the database still work
        assert client.get("/admin/notifications/message/").status_code == 200
        assert client.get("/api/notifications/messages/").status_code == 200
        # the outage lasts its full time (a process outside us is down: waiting is the test)
        time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
        assert client.get("/healthz").json()["status"] == "degraded"
        assert _states() == {Message.Status.PENDING: count}

        # when: Redis is back on the same port (empty: nothing was saved)
        private_redis.start()
        assert client.get("/healthz").json()["status"] == "ok"
        worker = _worker_process(fake.url, log, extra_env={"CACHE_URL": f"{private_redis.url}/1"})
        try:
            assert outbox_dispatch() == count
            assert wait_for(lambda: Message.objects.filter(status=Message.Status.SENT).count() == count, timeout=60), (
                _states(),
                _tail(log),
            )
        finally:
            _kill(worker, signal.SIGTERM)
        # then: every reminder reached "Twilio" exactly once
        created = Counter(m["body"] for m in fake.created)
        assert len(fake.created) == count
        assert all(created[m.body] == 1 for m in messages)


# --- Twilio down for a while ---------------------------------------------------------

RETRY_ENV = {
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_RETRY_MAX_SECONDS": "8",
    "OUTBOX_MAX_ATTEMPTS": "20",  # the outage must not use up the attempts
    "TWILIO_TIMEOUT_SECONDS": "1",  # the stand-in's "timeout" holds the request 5 s
}


def _dispatch_until(condition, timeout: float) -> bool:
    """Run the dispatcher as beat would, until the condition holds."""
    return wait_for(lambda: outbox_dispatch() is not None and condition(), timeout=timeout)


def _settled() -> bool:
    return not Message.objects.filter(status__in=(Message.Status.QUEUED, Message.Status.SENDING)).exists()


def _assert_backed_off(reason: str) -> None:
    """Every row waits again, later each attempt: base * 2^(attempts-1), capped, +-20 %."""
    rows = list(Message.objects.values("status", "attempts", "claimed_at", "next_attempt_at", "last_error"))
    for row in rows:
        assert row["status"] == Message.Status.PENDING, row
        assert reason in row["last_error"], row
        expected = min(2 ** (row["attempts"] - 1), 8)
        wait = (row["next_attempt_at"] - row["claimed_at"]).total_seconds()
        assert 0.8 * expected - 0.01 <= wait <= 1.2 * expected + 0.01, row


def test_twilio_answering_500s_and_timeouts_for_a_while_is_retried_with_backoff_and_sends_each_once(
    empty_queue, tmp_path, settings
):
    log = tmp_path / "worker.log"
    count = 10
    with FakeTwilio() as fake:
        twilio_settings(settings, fake.url)
        messages = _messages(count, "服务商故障")
        worker = _worker_process(fake.url, log, extra_env=RETRY_ENV)
        try:
            # when: "Twilio" answers 500 to everything
            fake.failing = "500"
            assert _dispatch_until(lambda: Message.objects.filter(attempts__lt=2).count() == 0, 60), (
                _states(),
                _tail(log),
            )
            assert wait_for(_settled, 30)
            # then: nothing went out, every row waits again with backoff
            assert fake.created == []
            _assert_backed_off("500")

            # when: then it stops answering (the client times out)
            fake.failing = "timeout"
            assert _dispatch_until(lambda: Message.objects.filter(attempts__lt=3).count() == 0, 60), (
                _states(),
                _tail(log),
            )
            assert wait_for(_settled, 30)
            assert fake.created == []
            _assert_backed_off("Timeout")

            # when: "Twilio" recovers
            fake.failing = None
            assert _dispatch_until(lambda: Message.objects.filter(status=Message.Status.SENT).count() == count, 60), (
                _states(),
                _tail(log),
            )
        finally:
            fake.release.set()
            _kill(worker, signal.SIGTERM)
        # then: each message went out exactly once, after several attempts
        created = Counter(m["body"] for m in fake.created)
        assert len(fake.created) == count
        assert all(created[m.body] == 1 for m in messages)
        assert len(fake.requests) >= 3 * count
        assert all(m.attempts >= 3 for m in Message.objects.all())


# --- PostgreSQL restarted under load ---------------------------------------------------

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own (initdb in a temporary folder, a free port)."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="cm-faults-pg-"))
        self.port = _free_port()
        # initdb refuses to run as root: run the server as the postgres user then.
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/cm_faults"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.directory / "data"), "-U", "postgres", "-A", "trust", "-N")
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "cm_faults")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} -c fsync=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "pg.log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_postgres(settings):
    """A private cluster with this test database's schema (copied with pg_dump)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"initdb not found in {PG_BIN}: set PG_BIN")
    server = PrivatePostgres()
    try:
        server.init()
        db = settings.DATABASES["default"]
        schema = subprocess.run(
            ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
            + ["--schema-only", "--no-owner", db["NAME"]],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout
        subprocess.run(
            [
                "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-U",
                "postgres",
                "cm_faults",
            ],
            input=schema,
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        server.remove()


def _gunicorn(database_url: str, port: int, directory: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "faults-only-" + "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "bG9hZC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE=",
        "FIELD_HASH_KEY": "faults-only-hash-key",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(directory),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "backend.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=(directory / "gunicorn.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class Load:
    """Threads requesting a page that reads the database, recording every answer."""

    def __init__(self, url: str, threads: int = 3):
        self.url = url
        self.answers: list[tuple[float, float, int, str]] = []  # started, finished, status, body
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        import requests

        while not self.stop.is_set():
            started = time.monotonic()
            try:
                response = requests.get(self.url, timeout=20)
                status, body = response.status_code, response.text[:2000]
            except requests.RequestException as exc:
                status, body = 0, f"{type(exc).__name__}: {exc}"
            self.answers.append((started, time.monotonic(), status, body))
            time.sleep(0.05)  # a steady load, not a flood on a shared 2-core machine

    def between(self, start: float, end: float) -> list[tuple[float, float, int, str]]:
        return [a for a in self.answers if a[0] >= start and a[1] <= end]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def test_postgres_restarted_under_load_fails_requests_cleanly_and_the_same_server_recovers(private_postgres, tmp_path):
    import requests

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _gunicorn(private_postgres.url, port, tmp_path)
    try:
        assert wait_for(lambda: _answers(f"{base}/healthz"), timeout=60), _tail(tmp_path / "gunicorn.log")
        with Load(f"{base}/api/regions/") as load:
            assert wait_for(lambda: len(load.answers) >= 10, timeout=60)
            # when: PostgreSQL stops, stays down a while, and starts again
            stopping = time.monotonic()
            private_postgres.stop()
            stopped = time.monotonic()
            time.sleep(5)  # the outage: requests keep coming
            health_down = requests.get(f"{base}/healthz", timeout=20)
            restarting = time.monotonic()
            private_postgres.start()
            assert wait_for(lambda: load.answers[-1][2] == 200, timeout=30), load.answers[-5:]
            recovered = time.monotonic()
            time.sleep(3)  # a steady load after recovery
            end = time.monotonic()
        before = load.between(0, stopping)
        during = load.between(stopped, restarting)
        after = load.between(recovered, end)
        # then: before, all good; during, clean 5xx (no traceback, no 4xx, no hang)
        assert before and all(a[2] == 200 for a in before), before[-3:]
        assert during, "no request was answered while PostgreSQL was down"
        assert all(a[2] in (500, 503) for a in during), sorted({a[2] for a in during})
        assert not [a for a in during if "Traceback" in a[3] or "OperationalError" in a[3]], during[0][3]
        assert all(a[1] - a[0] < 10 for a in during), max(a[1] - a[0] for a in during)
        assert health_down.status_code == 503
        assert health_down.json()["status"] == "down"
        # and after, the same server (never restarted) answers again
        assert len(after) >= 5 and all(a[2] == 200 for a in after), sorted({a[2] for a in after})
        assert server.poll() is None
        assert requests.get(f"{base}/healthz", timeout=20).json()["database"]["ok"] is True
    finally:
        _kill(server, signal.SIGTERM)


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


# --- PostgreSQL restarted while a Celery worker sends ------------------------------------


def _sql(url: str, query: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _due_reminders(url: str, count: int, prefix: str) -> None:
    """Insert ``count`` due urgent SMS rows straight into the private cluster."""
    _sql(
        url,
        "INSERT INTO notifications_message (channel, recipient, template, params, body, urgent, status, attempts,"
        " next_attempt_at, provider_id, provider_status, error_code, segments, last_error, created_at)"
        " SELECT 'sms', '+86135' || lpad(i::text, 8, '0'), 'notifications.reminder', '{}', %s || ' 第' || i || '条',"
        " true, 'pending', 0, now(), '', '', '', 0, '', now() FROM generate_series(1, %s) AS i",
        (prefix, count),
    )


def _private_states(url: str) -> dict[str, int]:
    try:
        return dict(_sql(url, "SELECT status, count(*) FROM notifications_message GROUP BY status"))
    except Exception:  # noqa: BLE001 - the cluster is down: no answer yet
        return {}


def _pool_pids(worker: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


def test_postgres_restarted_while_a_worker_sends_the_same_worker_recovers_and_sends_each_once(
    private_postgres, empty_queue, tmp_path
):
    """The worker's connections die with the server; it must open new ones, not keep failing.

    Django closes stale connections per request only; in a worker Celery's Django fixup
    closes them before and after each task (without it this test fails: every later task
    meets "the connection is closed").
    """
    url = private_postgres.url
    log = tmp_path / "worker.log"

    def dispatch_until(done, timeout: float) -> bool:
        # beat's one outbox entry, once a second: recover stuck rows, enqueue due ones
        last = [0.0]

        def tick() -> bool:
            if time.monotonic() - last[0] >= 1:
                app.send_task("notifications.tasks.outbox_dispatch_task")
                last[0] = time.monotonic()
            return done()

        return wait_for(tick, timeout=timeout)

    with FakeTwilio() as fake:
        fake.delay = 0.15  # each send takes a while, so the outage lands in the middle of the batch
        worker = _worker_process(
            fake.url,
            log,
            {"DATABASE_URL": url, "OUTBOX_QUEUED_STUCK_SECONDS": "3", "OUTBOX_SENDING_STUCK_SECONDS": "5"},
        )
        try:
            _due_reminders(url, 60, "重启前")
            # given: the worker is sending the first batch
            assert dispatch_until(lambda: len(fake.created) >= 10, timeout=30), _tail(log)
            pool = _pool_pids(worker)
            assert len(pool) == 2
            # when: PostgreSQL stops mid-batch, stays down 5 s, and starts again
            private_postgres.stop()
            sent_when_stopped = len(fake.created)
            time.sleep(5)
            private_postgres.start()
            assert sent_when_stopped < 60, "the batch finished before PostgreSQL stopped"
            # then: the same worker finishes the batch
            assert dispatch_until(lambda: _private_states(url) == {"sent": 60}, timeout=40), (
                _private_states(url),
                len(fake.created),
                _tail(log),
            )
            # and sends a batch queued after the restart, with nothing restarted in between
            _due_reminders(url, 20, "重启后")
            assert dispatch_until(lambda: _private_states(url) == {"sent": 80}, timeout=20), _tail(log)
            assert worker.poll() is None
            assert _pool_pids(worker) == pool
        finally:
            _kill(worker, signal.SIGTERM)

        # each message reached "Twilio" exactly once: none lost, none twice
        created = Counter(m["body"] for m in fake.created)
        assert [body for body, n in created.items() if n > 1] == []
        assert len(fake.created) == 80
        bodies = {body for (body,) in _sql(url, "SELECT body FROM notifications_message")}
        assert set(created) == bodies
        assert "OperationalError" in log.read_text(), "no task met the outage: the test proved nothing"
