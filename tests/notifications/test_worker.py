"""The outbox across a real broker: a real Celery worker on Redis, and a worker killed mid-batch."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from celery_app import app
from notifications.models import Message
from notifications.services import outbox_dispatch, outbox_recover, sms_send_template
from tests.notifications.conftest import ACCOUNT_SID, AUTH_TOKEN, provider_env, provider_settings, twilio_settings
from tests.notifications.factories import MessageFactory
from tests.notifications.standins.domestic_sms import FakeAliyun, FakeTencent
from tests.notifications.standins.twilio_fake import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll a condition that another process makes true (not a way of controlling time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def empty_queue():
    app.control.purge()
    yield
    app.control.purge()


def test_a_code_sent_in_a_transaction_reaches_twilio_through_a_real_worker(fake_twilio, empty_queue):
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            message = sms_send_template(phone="+8613800000031", template="notifications.otp", params={"code": "246810"})
            # nothing leaves before the commit
            assert fake_twilio.requests == []
        assert wait_for(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)
    assert [r["Body"] for r in fake_twilio.requests] == ["【爱心妈妈】您的验证码是246810，10分钟内有效。请勿告诉他人。"]


def test_the_dispatcher_task_sends_due_rows_through_the_worker(fake_twilio, empty_queue):
    from notifications.tasks import outbox_dispatch_task

    messages = [MessageFactory() for _ in range(5)]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        outbox_dispatch_task.delay()
        assert wait_for(lambda: Message.objects.filter(status=Message.Status.SENT).count() == 5)
    assert sorted(r["Body"] for r in fake_twilio.requests) == sorted(m.body for m in messages)


def _worker_process(fake_url: str, log: Path, extra_env: dict | None = None) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": os.environ.get("CACHE_URL", ""),
        "SMS_CHANNEL": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE_URL": fake_url,
        "TWILIO_TIMEOUT_SECONDS": "60",
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("TEST_DATABASE_NAME", None)
    handle = log.open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_app",
            "worker",
            "-P",
            "prefork",
            "-c",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so SIGKILL takes the pool children too
    )


def _kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(20)


def kill_mid_batch_then_recover(
    fake, log: Path, *, count: int, kill_after: int, timeout: float, extra_env: dict | None = None
):
    """Dispatch ``count`` due rows, SIGKILL a worker once ``kill_after`` reached the stand-in, then finish.

    A fresh worker, recovery (as beat runs it once the stuck rows are old enough: only rows
    claimed before the kill count as stuck) and the dispatcher send the rest. Returns when
    the kill happened and how many messages had reached the stand-in by then.
    """
    assert outbox_dispatch() == count
    first = _worker_process(fake.url, log, extra_env)
    try:
        assert wait_for(lambda: len(fake.created) >= kill_after, timeout=60), log.read_text()[-3000:]
    finally:
        killed_at = timezone.now()
        _kill(first)
    fake.release.set()
    # Requests already on the wire when the worker died still land at "Twilio"; in
    # production recovery waits OUTBOX_SENDING_STUCK_SECONDS for them, here we watch.
    assert wait_for(lambda: fake.in_flight == 0, timeout=10)
    sent_before_kill = len(fake.created)
    assert sent_before_kill < count, "the worker finished before it was killed"
    assert Message.objects.filter(status=Message.Status.SENDING).exists()
    second = _worker_process(fake.url, log, extra_env)
    try:

        def all_sent() -> bool:
            outbox_recover(claimed_before=killed_at)
            outbox_dispatch()
            return Message.objects.filter(status=Message.Status.SENT).count() == count

        assert wait_for(all_sent, timeout=timeout), (
            list(Message.objects.values_list("status").annotate(n=Count("id")).order_by()),
            killed_at,
            len(fake.created),
            log.read_text()[-3000:],
        )
    finally:
        _kill(second, signal.SIGTERM)
    return killed_at, sent_before_kill


def test_a_worker_killed_mid_batch_leaves_every_message_sent_exactly_once(empty_queue, tmp_path, settings):
    count = 40
    with FakeTwilio() as fake:
        twilio_settings(settings, fake.url)  # recovery here reconciles with the same "Twilio"
        fake.delay = 0.02
        # The 12th message is accepted by "Twilio" but its answer never arrives: the crash
        # between the provider's acceptance and our write that reconciliation exists for.
        fake.hang_after_accepting = 12
        messages = [
            MessageFactory(recipient=f"+86137{i:08d}", body=f"【爱心妈妈】批量提醒 第{i}条") for i in range(count)
        ]
        killed_at, sent_before_kill = kill_mid_batch_then_recover(
            fake, tmp_path / "worker.log", count=count, kill_after=12, timeout=45
        )
        # then: the provider got each message exactly once
        from collections import Counter

        dupes = [b for b, n in Counter(m["body"] for m in fake.created).items() if n > 1]
        assert len(fake.created) == count, (
            dupes,
            list(Message.objects.filter(body__in=dupes).values_list("status", "attempts", "last_error", "claimed_at")),
            killed_at,
            sent_before_kill,
            [(m["body"], m["date_created"]) for m in fake.created if m["body"] in dupes],
        )
        assert all(fake.count_for(m.body) == 1 for m in messages)
        assert Message.objects.filter(last_error__startswith="对账").exists()


# Aliyun: 5 numbers per SendBatchSms, the 3rd request hangs (15 accepted); Tencent: one request
# per number (the values differ), the 12th hangs. The other worker process keeps sending.
BATCH_CASES = {"aliyun": (FakeAliyun, 200, 3, 15), "tencent": (FakeTencent, 100, 12, 12)}


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_worker_killed_mid_batch_send_leaves_every_message_sent_exactly_once(
    provider, empty_queue, tmp_path, settings
):
    fake_class, count, hang_at, kill_after = BATCH_CASES[provider]
    with fake_class() as fake:
        provider_settings(settings, provider, fake)  # recovery reconciles with the same stand-in
        settings.OUTBOX_SEND_BATCH = 5
        fake.delay = 0.05 if provider == "aliyun" else 0.02
        # The request is accepted by the provider but its answer never arrives: the crash
        # between the provider's acceptance and our write that reconciliation exists for.
        fake.hang_after_accepting = hang_at
        for i in range(count):
            MessageFactory(
                recipient=f"+86137{i:08d}",
                body=f"【爱心妈妈】王丽您好：第{i}条，请于明天前完成。感谢您的关爱！",
                params={"volunteer": "王丽", "task": f"第{i}条", "due": "明天"},
            )
        env = provider_env(provider, fake.url) | {"OUTBOX_SEND_BATCH": "5", "SMS_PROVIDER_TIMEOUT_SECONDS": "60"}
        kill_mid_batch_then_recover(
            fake, tmp_path / "worker.log", count=count, kill_after=kill_after, timeout=90, extra_env=env
        )
        # then: the provider got each message exactly once
        from collections import Counter

        per_number = Counter(m["to"] for m in fake.created)
        assert len(fake.created) == count, [n for n, k in per_number.items() if k > 1]
        assert set(per_number.values()) == {1}
        assert fake.hung == 1  # the crash this test is about happened: accepted, never answered
        assert Message.objects.filter(last_error__startswith="对账").exists()
        assert set(Message.objects.values_list("provider", flat=True)) == {provider}
        # A request cut off by the kill reaches the stand-in incomplete and fails its signature check.
        assert len(fake.rejected) <= 2, fake.rejected
