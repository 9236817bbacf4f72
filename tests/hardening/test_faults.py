"""Faults on real services (issue 9): a worker killed mid-batch, Redis stopped, Twilio down for a while.

Each test runs real processes (a Celery worker, a private redis-server, the local Twilio
stand-in) and counts, at the stand-in, what reached "the provider": every message exactly once.
"""

import signal
from collections import Counter

import pytest
from django.utils import timezone

from celery_app import app
from notifications.models import Message
from notifications.services import outbox_dispatch, outbox_recover
from tests.notifications.conftest import twilio_settings
from tests.notifications.standins.twilio_fake import FakeTwilio
from tests.notifications.test_worker import _kill, _worker_process, wait_for

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
        # given: a thousand due reminders enqueued
        assert outbox_dispatch() == count
        first = _worker_process(fake.url, log)
        try:
            assert wait_for(lambda: len(fake.created) >= 300, timeout=60), _tail(log)
        finally:
            # when: the worker and its pool are SIGKILLed mid-batch
            killed_at = timezone.now()
            _kill(first)
        fake.release.set()
        assert wait_for(lambda: fake.in_flight == 0, timeout=10)
        sent_before_kill = len(fake.created)
        assert sent_before_kill < count, "the worker finished before it was killed"
        assert Message.objects.filter(status=Message.Status.SENDING).exists()

        # then: a fresh worker, recovery and the dispatcher finish the batch
        second = _worker_process(fake.url, log)
        try:

            def all_sent() -> bool:
                outbox_recover(claimed_before=killed_at)
                outbox_dispatch()
                return Message.objects.filter(status=Message.Status.SENT).count() == count

            assert wait_for(all_sent, timeout=120), (_states(), sent_before_kill, len(fake.created), _tail(log))
        finally:
            _kill(second, signal.SIGTERM)
        created = Counter(m["body"] for m in fake.created)
        assert [b for b, n in created.items() if n > 1] == []
        assert len(fake.created) == count
        assert all(created[m.body] == 1 for m in messages)
        assert _states() == {Message.Status.SENT: count}
        assert Message.objects.filter(last_error__startswith="对账").exists()
