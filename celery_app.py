"""The Celery application: configured from Django settings (namespace CELERY)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("caring_mothers")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def db_connections_checked(task=None, **_kwargs) -> None:
    """Close connections that broke, errored or passed CONN_MAX_AGE, as Django does around each request.

    Celery's Django fixup keeps a worker's connections across CELERY_DB_REUSE_MAX tasks instead
    of opening one per task; this, and CONN_HEALTH_CHECKS before a reused connection's first
    query, make a restarted PostgreSQL cost one reconnection, not a failed task.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run inline, in the caller's connection (and maybe its transaction): not ours to close
    from django.db import close_old_connections

    close_old_connections()
