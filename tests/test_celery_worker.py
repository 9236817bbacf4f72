import pytest
from celery.contrib.testing.worker import start_worker

from backend.ops.models import Heartbeat
from backend.ops.tasks import heartbeat_task
from celery_app import app


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_a_task_that_writes_to_postgresql():
    assert app.conf.broker_url.startswith("redis://"), "make test runs the worker on Redis"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # when: the task goes through the broker, not inline
        heartbeat_task.apply_async()
        for _ in range(100):
            if Heartbeat.objects.filter(name="celery").exists():
                break
            import time

            time.sleep(0.1)
    # then
    assert Heartbeat.objects.filter(name="celery").exists()
