"""Reads of dossiers shared by the citizen pages, the officer pages and the API."""

from django.db.models import Q, QuerySet

from .constants import DossierStatus
from .models import Attachment, Dossier, StoredDocument


def _staff_agency_ids(user) -> list[int]:
    return list(user.memberships.values_list("agency_id", flat=True)) if user.is_authenticated else []


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers this user may open: their own, or those of an agency they work for."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    agencies = _staff_agency_ids(user)
    scope = Q(applicant=user)
    if agencies:
        scope |= (Q(receiving_agency_id__in=agencies) | Q(competent_agency_id__in=agencies)) & ~Q(status=DossierStatus.DRAFT)
    return Dossier.objects.filter(scope)


def dossier_for(user, *, code: str) -> Dossier:
    """One dossier by code, if this user may see it (else DoesNotExist: a 404, never a 403)."""
    return (
        visible_dossiers(user)
        .select_related("procedure_version__procedure", "procedure_version__agency", "receiving_agency")
        .get(code=code)
    )


def draft_for(user, *, public_id) -> Dossier:
    return Dossier.objects.select_related("procedure_version__procedure").get(
        applicant=user, public_id=public_id, status=DossierStatus.DRAFT
    )


def applicant_dossiers(user, *, status: str = "", code: str = "") -> QuerySet[Dossier]:
    """The applicant's dossiers, newest first."""
    qs = (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version__procedure")
        .only("public_id", "code", "status", "created_at", "submitted_at", "due_at",
              "procedure_version__name", "procedure_version__name_en", "procedure_version__procedure__code")
        .order_by("-created_at", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    if code:
        qs = qs.filter(code__icontains=code.strip())
    return qs


def attachment_for(user, *, public_id) -> Attachment:
    return Attachment.objects.select_related("dossier").get(
        public_id=public_id, dossier__in=visible_dossiers(user)
    )


def stored_documents(user) -> QuerySet[StoredDocument]:
    return StoredDocument.objects.filter(owner=user)


def public_lookup(*, code: str) -> dict | None:
    """What anyone may know of a dossier from its code: no personal data."""
    row = (
        Dossier.objects.filter(code=(code or "").strip())
        .exclude(status=DossierStatus.DRAFT)
        .values("code", "status", "submitted_at", "received_at", "due_at", "returned_at",
                "procedure_version__name", "procedure_version__name_en", "procedure_version__procedure__code",
                "receiving_agency__name")
        .first()
    )
    if row is None:
        return None
    row["status_label"] = DossierStatus(row["status"]).label
    return row
