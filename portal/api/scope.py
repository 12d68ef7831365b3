"""The one place where an API client's agency scope narrows what the API shows and acts on."""

from django.db.models import Q, QuerySet


def scope_agencies(request) -> frozenset[int] | None:
    """The agencies a token is scoped to, or None (session, or a client with no agency set)."""
    client = getattr(getattr(request, "auth", None), "client", None)
    return getattr(client, "scope_agencies", None) if client is not None else None


def within_scope(request, dossiers: QuerySet) -> QuerySet:
    agencies = scope_agencies(request)
    if agencies is None:
        return dossiers
    return dossiers.filter(
        Q(receiving_agency_id__in=agencies) | Q(competent_agency_id__in=agencies) | Q(consulted_agency_id__in=agencies)
    )
