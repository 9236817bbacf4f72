import threading

import pytest
from celery.contrib.testing.worker import start_worker

from backend.children.imports import import_job_create
from backend.children.models import Child, ImportJob
from celery_app import app
from tests.children.test_import import _csv, _unique_rows
from tests.factories import StaffFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_a_real_worker_through_redis(regions):
    # given a county officer's upload, queued on commit
    officer = StaffFactory(username="qinshui-worker", home_region_id="140521")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        job = import_job_create(created_by=officer, file_name="c.csv", content=_csv(_unique_rows(300)))
        # when the worker picks it up from the broker (polling the row, not sleeping to fake time)
        waiter = threading.Event()
        for _ in range(300):
            job.refresh_from_db()
            if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
                break
            waiter.wait(0.1)
    # then the children are in and the job reports it
    assert (job.status, job.progress, job.created_count) == ("done", 100, 300)
    assert Child.objects.count() == 300
