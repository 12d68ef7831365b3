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
    from .models import DossierEvent

    event = DossierEvent.objects.select_related("dossier__procedure_version").get(pk=event_id)
    return _send_once(self, event, event.dossier.applicant_email, "dossiers/email/body.txt")


@shared_task(bind=True, acks_late=True, max_retries=5, retry_backoff=True, retry_backoff_max=600)
def notify_staff(self, event_id: int, user_id: int) -> str:
    """Email an officer about work given to them (an assignment)."""
    from portal.models import User

    from .models import DossierEvent

    event = DossierEvent.objects.select_related("dossier__procedure_version").get(pk=event_id)
    user = User.objects.get(pk=user_id)
    return _send_once(self, event, user.email, "dossiers/email/staff_body.txt", extra={"officer": user})


def _send_once(task, event, to: str | None, body_template: str, extra=None) -> str:
    """Send one email for one event to one address, at most once whatever the retries."""
    from .models import DossierEmail

    if not to or DossierEmail.objects.filter(event=event, to=to).exists():
        return "skipped"
    with translation.override(settings.LANGUAGE_CODE):
        context = {"dossier": event.dossier, "event": event, "base_url": settings.PORTAL_BASE_URL, **(extra or {})}
        subject = render_to_string("dossiers/email/subject.txt", context).strip()
        body = render_to_string(body_template, context)
    try:
        with transaction.atomic():
            DossierEmail.objects.create(event=event, to=to, subject=subject[:255])
            send_mail(subject, body, None, [to])
    except IntegrityError:
        return "skipped"
    except OSError as error:  # SMTP down: nothing recorded, try again later
        raise task.retry(exc=error) from error
    return "sent"


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def render_dossier_form(dossier_id: int, kind: str) -> str:
    """Render and store a form of a dossier ahead of its first download."""
    from .documents import dossier_document
    from .models import Dossier

    dossier = Dossier.objects.select_related("procedure_version", "receiving_agency").get(pk=dossier_id)
    with translation.override(settings.LANGUAGE_CODE):
        return dossier_document(dossier, kind, base_url=settings.PORTAL_BASE_URL).file.name
