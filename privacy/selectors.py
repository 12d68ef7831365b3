"""Reads for "Dữ liệu của tôi": what the portal holds about a person, and who read their dossiers."""

from datetime import date

from django.db.models import Count, Q

from appointments.models import Appointment
from dossiers.access import dossier_accesses_of
from dossiers.constants import DossierStatus
from dossiers.models import Attachment, Dossier, DossierMessage, StoredDocument
from payments.models import Payment
from portal.models import ConsentRecord, Notification
from retention.services import add_years, dossier_ended_on


def holdings(user) -> dict[str, int]:
    """How many of each kind of record the portal holds about this person (a few COUNTs)."""
    dossiers = Dossier.objects.filter(applicant=user).aggregate(
        total=Count("pk", filter=~Q(status=DossierStatus.DRAFT)),
        drafts=Count("pk", filter=Q(status=DossierStatus.DRAFT)),
    )
    return {
        "dossiers": dossiers["total"],
        "drafts": dossiers["drafts"],
        "files": Attachment.objects.filter(dossier__applicant=user).count(),
        "stored": StoredDocument.objects.filter(owner=user).count(),
        "messages": DossierMessage.objects.filter(dossier__applicant=user).count(),
        "payments": Payment.objects.filter(dossier__applicant=user).count(),
        "appointments": Appointment.objects.filter(citizen=user).count(),
        "notifications": Notification.objects.filter(recipient=user).count(),
        "consents": ConsentRecord.objects.filter(user=user).count(),
    }


def access_log(user):
    """Every staff read of this person's dossiers, newest first."""
    return dossier_accesses_of(user)


def access_entry(access) -> dict:
    """One read as the citizen sees it (and the API gives it)."""
    return {
        "when": access.at,
        "who": access.staff.full_name or access.staff.get_username(),
        "role": access.get_role_display() if access.role else "",
        "agency": access.agency.name if access.agency_id else "",
        "what": access.what,
        "what_label": access.get_what_display(),
        "file": access.attachment.name if access.attachment_id else "",
        "dossier": access.dossier.code or "",
    }


def retention_until(dossier) -> date | None:
    """The day a dossier may be destroyed: the day it ended plus its procedure version's
    retention (None: kept permanently, or still being processed and kept at least until it ends)."""
    years = dossier.procedure_version.effective_retention_years
    ended = dossier_ended_on(dossier)
    if years is None or ended is None:
        return None
    return add_years(ended, years)


def retained_dossiers(user) -> list[dict]:
    """The person's dossiers that stay after their account is deleted, and until when."""
    rows = []
    for dossier in (
        Dossier.objects.filter(applicant=user)
        .exclude(status=DossierStatus.DRAFT)
        .select_related("procedure_version")
        .order_by("-submitted_at", "-pk")
    ):
        rows.append(
            {
                "dossier": dossier,
                "until": retention_until(dossier),
                "years": dossier.procedure_version.effective_retention_years,
                "permanent": dossier.procedure_version.retention_permanent,
            }
        )
    return rows
