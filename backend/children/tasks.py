import logging

from celery import shared_task

from backend.children.imports import import_job_run
from backend.children.models import ImportJob

logger = logging.getLogger(__name__)


@shared_task
def child_import_run_task(job_id: int) -> None:
    """Check and import one uploaded spreadsheet of children."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        import_job_run(job=job)
    except Exception:
        logger.exception("children import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, message="处理失败，请联系管理员 / processing failed", content=""
        )
        raise
