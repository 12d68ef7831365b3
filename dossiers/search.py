"""Officer queue search: forgiving of diacritics, case and punctuation, like the catalogue.

Every dossier keeps `search_key`, the normalised name, code, ID number and phone (the services
save it with those fields). A search is one substring match on it: on PostgreSQL a GIN
trigram index (migration 0008) serves it, on SQLite LIKE on the same column is just as correct.
"""

import re

from django.db.models import Q

from portal.validators import normalize_phone
from procedures.search import MAX_QUERY_LENGTH, normalize_search

SEARCH_SOURCES = frozenset({"code", "applicant_name", "applicant_id_number", "applicant_phone"})
_PHONE_LIKE = re.compile(r"\+?[\d\s.\-()]+")


def dossier_search_key(*, code: str, name: str, id_number: str, phone: str) -> str:
    """'Lê Thị Mai', '000.00.26.H99-…' -> 'le thi mai 000 00 26 h99 …' (one string to search)."""
    return " ".join(part for part in (normalize_search(name), normalize_search(code), id_number, phone) if part)


def queue_search_filter(query: str) -> Q | None:
    """The filter for what an officer typed; None when the query can match nothing."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    phrase = normalize_search(query)
    if not phrase:
        return None
    condition = Q(search_key__contains=phrase)
    if _PHONE_LIKE.fullmatch(query):  # '0912 345 678', '+84912…': the stored phone has no spaces
        compact = normalize_phone(query)
        if compact != phrase:
            condition |= Q(search_key__contains=compact)
    return condition
