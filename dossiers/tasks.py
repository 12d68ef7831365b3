"""Thin Celery tasks: they take ids, re-read the rows, and do nothing twice."""

from celery import shared_task
from django.conf import settings
from django.utils import translation


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def render_dossier_form(dossier_id: int, kind: str) -> str:
    """Render and store a form of a dossier ahead of its first download."""
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
    logging.getLogger("dossiers.tasks").info("deadline sweep: %s due soon, %s overdue", result.due_soon,
                                              result.overdue)
    return {"due_soon": result.due_soon, "overdue": result.overdue}
