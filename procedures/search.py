import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 12


def normalize_search(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ too) and punctuation: 'Đăng ký' -> 'dang ky'."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", plain).strip()


def query_tokens(query: str) -> list[str]:
    """The words of a search query, normalized; too long a query yields nothing."""
    if len(query or "") > MAX_QUERY_LENGTH:
        return []
    return normalize_search(query).split()[:MAX_QUERY_TOKENS]
