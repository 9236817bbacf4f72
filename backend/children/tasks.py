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
            status=ImportJob.Status.FAILED, message="处理失败，请联系管理员", content=""
        )
        raise


@shared_task
def concern_escalations_dispatch_task() -> int:
    """Enqueue the concern escalations that fell due (beat, every minute); return how many."""
    from backend.children.services import concern_escalations_dispatch

    return len(concern_escalations_dispatch())


@shared_task(acks_late=True)
def concern_escalate_task(escalation_id: int) -> int | None:
    """Send one concern escalation (claimed by a conditional update, so a rerun does nothing)."""
    from backend.children.services import concern_escalate

    return concern_escalate(escalation_id=escalation_id)
