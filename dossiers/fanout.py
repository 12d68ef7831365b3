"""What follows a dossier event, after commit: notifications, paper forms, national sync.

Called from the outbox (registered in dossiers/apps.py); every step is idempotent, so a message
handled twice after a crash notifies once, renders once and syncs once.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.constants import StaffRole
from portal.models import User
from portal.notifications import Recipient, notify

from . import hooks, tasks
from .constants import EventKind as K
from .models import Dossier, DossierEvent

logger = logging.getLogger("dossiers.fanout")

# Events the applicant hears about.
TO_APPLICANT = {
    K.SUBMITTED,
    K.RECEIVED,
    K.RECEPTION_REFUSED,
    K.SUPPLEMENT_REQUESTED,
    K.RESUBMITTED,
    K.REFUSED,
    K.PAYMENT_REQUESTED,
    K.PAYMENT_CONFIRMED,
    K.RESULT_ISSUED,
    K.RESULT_RETURNED,
    K.STOPPED,
    K.EXTENDED,
    K.WITHDRAWAL_CONFIRMED,
    K.FILE_QUARANTINED,
    K.POSTAL_RETURNED,
}
# Paper forms rendered ahead of their first download.
FORMS = {
    K.RECEIVED: "form01",
    K.RECEPTION_REFUSED: "form03",
    K.REFUSED: "form03",
    K.EXTENDED: "form04",
    K.RESULT_ISSUED: "result",
}


def _context(dossier: Dossier, event_label: str, **extra) -> dict:
    return {"dossier": dossier, "event_label": event_label, "base_url": settings.PORTAL_BASE_URL.rstrip("/"), **extra}


THRESHOLD_LABELS = {"due_soon": _("Due soon"), "overdue": _("Overdue")}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _placeholders(
    dossier: Dossier, status: str, *, event: DossierEvent | None = None, for_officer: bool = False
) -> dict[str, str]:
    """The plain strings admins' templates may use (portal/message_templates.PLACEHOLDERS)."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    page = f"/can-bo/ho-so/{dossier.code}/" if for_officer else f"/ho-so/{dossier.code}/"
    return {
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure_version.name,
        "applicant_name": dossier.applicant_name,
        "status": status,  # lazy: the recipient's language
        "due_date": _when(dossier.due_at),
        "step_due_date": _when(dossier.step_due_at),
        "amount": f"{dossier.fee_due:,}".replace(",", "."),
        "comment": event.comment if event is not None and event.public else "",
        "link": base + page,
        "lookup_link": f"{base}/tc/{dossier.code}",
    }


def on_event(event_id: int) -> None:
    event = (
        DossierEvent.objects.select_related("dossier__procedure_version", "dossier__assigned_to")
        .filter(pk=event_id)
        .first()
    )
    if event is None:  # only a draft's events go (its owner deleted it): nothing to tell anyone
        logger.info("event=%s gone with its deleted draft", event_id)
        return
    dossier = event.dossier
    logger.info("dossier=%s event=%s fan-out", dossier.code, event.kind)
    # A virus found later concerns drafts too: their applicant must attach the file again.
    if event.kind in TO_APPLICANT and (dossier.code or event.kind == K.FILE_QUARANTINED):
        notify(
            key=f"event:{event.pk}",
            event=event.kind,
            dossier_code=dossier.code,
            recipient=Recipient(user=dossier.applicant, email=dossier.applicant_email, phone=dossier.applicant_phone),
            context=_context(dossier, event.get_kind_display(), event=event),
            placeholders=_placeholders(dossier, event.get_kind_display(), event=event),
        )
    if event.kind == K.MESSAGE:
        _message_notify(event)
    if event.kind == K.ASSIGNED and dossier.assigned_to:
        notify(
            key=f"event:{event.pk}",
            event="assigned",
            dossier_code=dossier.code,
            recipient=Recipient(user=dossier.assigned_to),
            context=_context(dossier, event.get_kind_display(), event=event, for_officer=True),
            placeholders=_placeholders(dossier, event.get_kind_display(), event=event, for_officer=True),
        )
    if event.kind in FORMS:
        tasks.render_dossier_form.delay(dossier.pk, FORMS[event.kind])
    if dossier.code:
        hooks.dossier_event_published(event=event)  # the national portal and webhooks (sync)


def message_recipients(dossier: Dossier) -> list[User]:
    """Who hears of an applicant's message: the assigned specialist, else the receiving desk."""
    if dossier.assigned_to:
        return [dossier.assigned_to]
    return list(
        User.objects.filter(
            memberships__agency_id=dossier.receiving_agency_id, memberships__role=StaffRole.RECEPTIONIST
        ).distinct()
    )


def _message_notify(event: DossierEvent) -> None:
    """A message on the thread: the applicant hears of the officers' messages (their "messages"
    preferences), the officers of the applicant's (their inbox, by the same topic)."""
    dossier = event.dossier
    label = event.get_kind_display()
    if event.data.get("from") == "staff":
        notify(
            key=f"event:{event.pk}",
            event=K.MESSAGE,
            dossier_code=dossier.code,
            recipient=Recipient(user=dossier.applicant, email=dossier.applicant_email, phone=dossier.applicant_phone),
            context=_context(dossier, label, event=event),
            placeholders=_placeholders(dossier, label, event=event),
        )
        return
    for officer in message_recipients(dossier):
        notify(
            key=f"event:{event.pk}:{officer.pk}",
            event=K.MESSAGE,
            dossier_code=dossier.code,
            recipient=Recipient(user=officer),
            context=_context(dossier, label, event=event, for_officer=True),
            placeholders=_placeholders(dossier, label, event=event, for_officer=True),
        )


def on_deadline(dossier_id: int, threshold: str) -> None:
    """Warn whoever holds the dossier that it is due soon; when overdue, their leaders too."""
    dossier = Dossier.objects.select_related("procedure_version", "assigned_to").get(pk=dossier_id)
    officers = (
        [dossier.assigned_to]
        if dossier.assigned_to
        else list(
            User.objects.filter(
                memberships__agency_id=dossier.receiving_agency_id, memberships__role=StaffRole.RECEPTIONIST
            ).distinct()
        )
    )
    if threshold == "overdue":
        officers += list(
            User.objects.filter(
                memberships__agency_id=dossier.competent_agency_id, memberships__role=StaffRole.LEADER
            ).distinct()
        )
    for officer in {o.pk: o for o in officers}.values():
        notify(
            key=f"{threshold}:{dossier.pk}:{dossier.due_at:%Y%m%d%H%M}",
            event=threshold,
            dossier_code=dossier.code,
            recipient=Recipient(user=officer),
            context=_context(dossier, threshold, for_officer=True, threshold=threshold),
            placeholders=_placeholders(dossier, THRESHOLD_LABELS.get(threshold, threshold), for_officer=True),
        )
