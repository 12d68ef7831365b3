"""Thin Celery tasks: they take ids, re-read the rows, and do nothing twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation


@shared_task(bind=True, acks_late=True, max_retries=5, retry_backoff=True, retry_backoff_max=600)
def notify_applicant(self, event_id: int) -> str:
    """Email the applicant about one event of their dossier (once per event)."""
    from .models import DossierEmail, DossierEvent

    event = DossierEvent.objects.select_related("dossier__procedure_version").get(pk=event_id)
    dossier = event.dossier
    if not dossier.applicant_email or DossierEmail.objects.filter(event=event).exists():
        return "skipped"
    with translation.override(settings.LANGUAGE_CODE):
        context = {"dossier": dossier, "event": event, "base_url": settings.PORTAL_BASE_URL}
        subject = render_to_string("dossiers/email/subject.txt", context).strip()
        body = render_to_string("dossiers/email/body.txt", context)
    try:
        with transaction.atomic():
            DossierEmail.objects.create(event=event, to=dossier.applicant_email, subject=subject[:255])
            send_mail(subject, body, None, [dossier.applicant_email])
    except IntegrityError:
        return "skipped"
    except OSError as error:  # SMTP down: nothing recorded, try again later
        raise self.retry(exc=error) from error
    return "sent"


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def render_dossier_form(dossier_id: int, kind: str) -> str:
    """Render and store a form of a dossier ahead of its first download."""
    from .documents import dossier_document
    from .models import Dossier

    dossier = Dossier.objects.select_related("procedure_version", "receiving_agency").get(pk=dossier_id)
    with translation.override(settings.LANGUAGE_CODE):
        return dossier_document(dossier, kind, base_url=settings.PORTAL_BASE_URL).file.name
