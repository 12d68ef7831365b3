"""Reads of the catalogue shared by the public pages, the API and the dashboards."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .constants import VersionStatus
from .models import Agency, Field, ProcedureVersion
from .search import normalize_search, query_tokens


def published_versions() -> QuerySet[ProcedureVersion]:
    """The public catalogue: the one published version of each procedure."""
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "procedure", "field", "agency"
    )


def catalogue_search(
    *,
    query: str = "",
    agency: Agency | None = None,
    field: Field | None = None,
    level: str = "",
    service_level: str = "",
) -> QuerySet[ProcedureVersion]:
    """Filter and search the public catalogue, best matches first.

    Search ignores diacritics and case on every database: both sides are compared in
    the normalized form stored in search_name / search_text.
    """
    # The list shows names and facts only: leave the long texts in the table.
    qs = published_versions().defer("description", "legal_basis", "form_schema", "search_text")
    if agency is not None:
        qs = qs.filter(agency_id__in=agency.descendant_ids())
    if field is not None:
        qs = qs.filter(field=field)
    if level:
        qs = qs.filter(level=level)
    if service_level:
        qs = qs.filter(service_level=service_level)
    if not (query or "").strip():
        return qs.order_by("search_name", "pk")  # walks the (status, search_name) index
    tokens = query_tokens(query)
    if not tokens:
        return qs.none()  # only punctuation, or far too long: nothing can match
    for token in tokens:
        qs = qs.filter(search_text__contains=token)
    phrase = normalize_search(query)
    in_name = Q()
    for token in tokens:
        in_name &= Q(search_name__contains=token)
    rank = Case(
        When(search_name=phrase, then=Value(5)),
        When(search_name__startswith=phrase, then=Value(4)),
        When(search_name__contains=phrase, then=Value(3)),
        When(in_name, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("-rank", "search_name", "pk")


def procedure_detail(*, code: str) -> ProcedureVersion:
    """The published version of one procedure with everything its page shows."""
    return published_versions().prefetch_related("documents", "fees", "steps").get(procedure__code=code)


def fields_with_counts() -> QuerySet[Field]:
    """Fields that have published procedures, with how many."""
    return (
        Field.objects.annotate(procedure_count=Count("versions", filter=Q(versions__status=VersionStatus.PUBLISHED)))
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def agencies_with_procedures() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("code")
