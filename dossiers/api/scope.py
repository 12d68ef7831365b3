"""Which dossiers an API request may see or act on: the HTML pages' selectors, narrowed to the
API client's agencies (portal.api.scope) — the one place the scope is applied to dossiers."""

import uuid

from django.db.models import Q
from rest_framework.exceptions import NotFound

from dossiers import selectors
from dossiers.models import Dossier
from portal.api.scope import within_scope
from portal.memberships import memberships

DETAIL_RELATED = (
    "procedure_version__procedure",
    "procedure_version__agency",
    "receiving_agency",
    "competent_agency",
    "assigned_to",
    "consulted_agency",
)


def is_staff(request) -> bool:
    return bool(memberships(request.user))


def api_applicant_dossiers(request, *, status: str = "", code: str = ""):
    return within_scope(request, selectors.applicant_dossiers(request.user, status=status, code=code))


def api_officer_queue(request, **filters):
    qs, counts = selectors.officer_queue(request.user, **filters)
    return within_scope(request, qs), counts


def _as_uuid(ref: str):
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def api_dossier(request, ref: str) -> Dossier:
    """A dossier by code (or a draft by its id) that this request may see; else 404, never 403."""
    user = request.user
    public_id = _as_uuid(ref)
    lookup = Q(public_id=public_id) if public_id else Q(code=ref)
    own = Q(applicant=user) | Q(filed_by=user) if public_id else Q(applicant=user)
    candidates = [Dossier.objects.filter(own), selectors.visible_dossiers(user)]
    if is_staff(request):
        candidates.append(selectors.officer_scope(user))
    for qs in candidates:
        dossier = within_scope(request, qs).filter(lookup).select_related(*DETAIL_RELATED).first()
        if dossier is not None:
            return dossier
    raise NotFound


def api_officer_dossier(request, code: str) -> Dossier:
    """A dossier in this officer's scope (what the desk page shows), else 404."""
    if not is_staff(request):
        raise NotFound
    dossier = (
        within_scope(request, selectors.officer_scope(request.user))
        .filter(code=code)
        .select_related(*DETAIL_RELATED)
        .first()
    )
    if dossier is None:
        raise NotFound
    return dossier


def is_applicant(request, dossier: Dossier) -> bool:
    return dossier.applicant_id == request.user.pk
