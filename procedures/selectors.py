"""Reads of the catalogue shared by the public pages, the API and the dashboards."""

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from portal.collation import vietnamese
from portal.constants import StaffRole

from .constants import VersionStatus
from .models import Agency, Field, ProcedureVersion, SearchSynonym
from .search import apply_synonyms, correct_tokens, normalize_search, query_tokens

VOCABULARY_CACHE_KEY = "catalogue-search-vocabulary"
SYNONYMS_CACHE_KEY = SearchSynonym.CACHE_KEY
VOCABULARY_SECONDS = 300  # a new procedure's words reach the typo correction within minutes


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
    the normalized form stored in search_name / search_text. When a word is not in the catalogue
    and the words as typed match nothing, it is taken for a typo and replaced by the catalogue's
    closest word: by trigram similarity on PostgreSQL (pg_trgm), by difflib on SQLite.
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
    tokens = search_tokens(query)
    if not tokens:
        return qs.none()  # only punctuation, stop words, or far too long: nothing can match
    # A word the catalogue does not have may be a typo: if so, and nothing matches as typed, search
    # the closest words instead (a query of known words costs no extra query).
    if _may_be_typo(tokens) and not _matching(qs, tokens).exists():
        tokens = corrected_tokens(tokens)
    qs = _matching(qs, tokens)
    phrase = " ".join(tokens)
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


def _matching(qs, tokens):
    for token in tokens:
        qs = qs.filter(search_text__contains=token)
    return qs


def _fuzzy(token: str) -> bool:
    """Whether a word may be matched loosely: short words and numbers have too many neighbours."""
    return len(token) >= 3 and not token.isdigit()


def _may_be_typo(tokens: list[str]) -> bool:
    vocabulary = catalogue_vocabulary()
    return any(_fuzzy(token) and token not in vocabulary for token in tokens)


def typo_cache_key(tokens: list[str]) -> str:
    import hashlib

    return "catalogue-typo:" + hashlib.sha256(" ".join(tokens).encode()).hexdigest()


def corrected_tokens(tokens: list[str]) -> list[str]:
    """Each word the catalogue does not have, replaced by its closest catalogue word. Cached as
    long as the vocabulary: the list and its "did you mean" line ask for the same correction."""
    from django.core.cache import cache

    vocabulary = catalogue_vocabulary()
    if connection.vendor != "postgresql":
        return correct_tokens(tokens, vocabulary)
    key = typo_cache_key(tokens)
    corrected = cache.get(key)
    if corrected is None:
        corrected = _trigram_corrections(tokens, vocabulary)
        cache.set(key, corrected, VOCABULARY_SECONDS)
    return corrected


# For each unknown word, up to 5 catalogue words that hold half its trigrams (pg_trgm's
# word_similarity: 'sih' in 'sinh') or a quarter of both words' (similarity: 'dng', 'dung'), the
# most similar first, ties alphabetically.
_TRIGRAM_CORRECTION_SQL = """
SELECT t.token, best.word
FROM unnest(%s::text[]) AS t(token)
CROSS JOIN LATERAL (
    SELECT w AS word FROM unnest(%s::text[]) AS w
    WHERE word_similarity(t.token, w) >= 0.5 OR similarity(w, t.token) >= 0.25
    ORDER BY similarity(w, t.token) DESC, w
    LIMIT 5
) AS best
"""


def _trigram_corrections(tokens: list[str], vocabulary: frozenset[str]) -> list[str]:
    """PostgreSQL: the typo correction by trigram similarity (pg_trgm) over the catalogue's words
    (a few thousand short words, cached: one query of about a millisecond, no index needed).
    Short Vietnamese syllables have near-equal neighbours ('dng': 'dang', 'dung'), so when the
    closest words match nothing together, the runners-up are tried one word at a time."""
    unknown = [token for token in tokens if _fuzzy(token) and token not in vocabulary]
    if not unknown or not vocabulary:
        return tokens
    candidates: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_TRIGRAM_CORRECTION_SQL, [unknown, sorted(vocabulary)])
        for token, word in cursor.fetchall():
            candidates.setdefault(token, []).append(word)
    best = [candidates.get(token, [token])[0] for token in tokens]
    if not candidates:
        return best
    catalogue = published_versions()
    if _matching(catalogue, best).exists():
        return best
    for index, token in enumerate(tokens):
        for word in candidates.get(token, [])[1:]:
            attempt = [*best[:index], word, *best[index + 1 :]]
            if _matching(catalogue, attempt).exists():
                return attempt
    return best


def search_tokens(query: str) -> list[str]:
    """The query's normalised words with the synonyms applied (the admin's list)."""
    tokens = query_tokens(query)
    if not tokens:
        return []
    from django.core.cache import cache

    synonyms = cache.get(SYNONYMS_CACHE_KEY)
    if synonyms is None:  # SearchSynonym.save() and delete() clear it
        synonyms = dict(SearchSynonym.objects.values_list("search_term", "replacement"))
        cache.set(SYNONYMS_CACHE_KEY, synonyms, VOCABULARY_SECONDS)
    return [normalize_search(t) for t in apply_synonyms(tokens, synonyms) if normalize_search(t)]


def catalogue_vocabulary() -> frozenset[str]:
    """Every word of the published catalogue (names, fields, agencies), for typo correction."""
    from django.core.cache import cache

    words = cache.get(VOCABULARY_CACHE_KEY)
    if words is None:
        words = set()
        for text in ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list(
            "search_text", flat=True
        ):
            # 'ho' is no correction, and neither is a number (procedure codes)
            words.update(word for word in text.split() if len(word) > 2 and not word.isdigit())
        cache.set(VOCABULARY_CACHE_KEY, words, VOCABULARY_SECONDS)
    return frozenset(words)


def catalogue_suggestions(*, query: str, found: int, limit: int = 3) -> dict:
    """'Did you mean ...' for a search that found `found` procedures: the corrected wording when
    the search had to correct a typo, and, when nothing matched, procedures sharing some words."""
    tokens = search_tokens(query)
    corrected_search = bool(tokens) and _may_be_typo(tokens) and not _matching(published_versions(), tokens).exists()
    fixed = corrected_tokens(tokens) if corrected_search else tokens
    if found:
        # The search corrects only when the words as typed match nothing: then these were shown.
        return {"corrected": " ".join(fixed) if corrected_search and fixed != tokens else "", "procedures": []}
    words = list(dict.fromkeys(word for word in fixed if len(word) > 1))  # each word counts once
    if not words:
        return {"corrected": "", "procedures": []}
    shared = sum((Case(When(search_text__contains=w, then=Value(1)), default=Value(0)) for w in words), Value(0))
    any_word = Q()
    for word in words:
        any_word |= Q(search_text__contains=word)
    qs = published_versions().defer("description", "legal_basis", "form_schema", "search_text")
    procedures = list(qs.filter(any_word).annotate(shared=shared).order_by("-shared", "search_name")[:limit])
    return {"corrected": "", "procedures": procedures}


def procedure_detail(*, code: str) -> ProcedureVersion:
    """The published version of one procedure with everything its page shows."""
    return published_versions().prefetch_related("documents", "fees", "steps").get(procedure__code=code)


def receiving_desks(*, version: ProcedureVersion) -> list[Agency]:
    """The one-stop desks that take this procedure's dossiers in: the performing agency's (online
    dossiers go there too: dossiers.services.dossier_draft_start), and for a cross-boundary
    procedure every other desk of the province, i.e. every agency with desk officers (the rule of
    dossiers.services.intake_desk)."""
    desks = [version.agency]
    if version.cross_boundary:
        desks += list(
            Agency.objects.filter(is_active=True, memberships__role=StaffRole.RECEPTIONIST)
            .exclude(pk=version.agency_id)
            .distinct()
            .order_by("code")
        )
    return desks


def level_counts() -> dict[str, dict[str, int]]:
    """How many published procedures there are per level and per online service level."""
    counts = {"level": {}, "service_level": {}}
    rows = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .values("level", "service_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        for name in counts:
            counts[name][row[name]] = counts[name].get(row[name], 0) + row["n"]
    return counts


def fields_with_counts() -> QuerySet[Field]:
    """Fields that have published procedures, with how many."""
    return (
        Field.objects.annotate(procedure_count=Count("versions", filter=Q(versions__status=VersionStatus.PUBLISHED)))
        .filter(procedure_count__gt=0)
        .order_by(vietnamese("name"), "pk")
    )


def agencies_with_procedures() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("code")
