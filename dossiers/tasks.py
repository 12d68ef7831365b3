"""Thin Celery tasks: they take ids, re-read the rows, and do nothing twice."""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from portal.scanner import ScannerUnavailable
from portal.signing import TimestampUnavailable


@shared_task(acks_late=True, autoretry_for=(TimestampUnavailable,), max_retries=3, retry_backoff=True)
def render_dossier_form(dossier_id: int, kind: str) -> str:
    """Render and store a form of a dossier ahead of its first download (again later when the
    time-stamp authority that dates the result's signature does not answer)."""
    from .documents import dossier_document
    from .models import Dossier

    dossier = Dossier.objects.select_related("procedure_version", "receiving_agency").get(pk=dossier_id)
    with translation.override(settings.LANGUAGE_CODE):
        return dossier_document(dossier, kind, base_url=settings.PORTAL_BASE_URL).file.name


@shared_task(acks_late=True)
def deadline_sweep() -> dict:
    """Beat, every 15 minutes: warn about dossiers due soon and overdue (once per threshold)."""
    import logging

    from .sweeps import deadline_sweep as sweep

    result = sweep()
    logging.getLogger("dossiers.tasks").info("deadline sweep: %s due soon, %s overdue", result.due_soon, result.overdue)
    return {"due_soon": result.due_soon, "overdue": result.overdue}


@shared_task(
    acks_late=True, autoretry_for=(ScannerUnavailable,), max_retries=6, retry_backoff=30, retry_backoff_max=900
)
def scan_file(attachment_id: int) -> str | None:
    """Scan an attachment clamd could not scan at upload; retried while clamd is unavailable."""
    from .scanning import attachment_scan

    return attachment_scan(attachment_id=attachment_id)


@shared_task(acks_late=True)
def scan_pending_files(batch: int = 500) -> int:
    """Beat: queue a scan for files still waiting (their own task gave up, or was lost)."""
    from datetime import timedelta

    from django.utils import timezone

    from .scanning import attachments_to_scan

    ids = list(
        attachments_to_scan()
        .filter(uploaded_at__lt=timezone.now() - timedelta(minutes=1))
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        scan_file.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def access_log_purge() -> int:
    """Beat, daily: forget staff reads older than ACCESS_LOG_RETENTION_DAYS."""
    from .access import access_log_purge as purge

    return purge()


@shared_task(acks_late=True)
def draft_sweep() -> dict:
    """Beat, daily: warn about drafts left untouched, then delete them (DRAFT_RETENTION_DAYS)."""
    from .sweeps import draft_sweep as sweep

    result = sweep()
    return {"warned": result.warned, "deleted": result.deleted}
