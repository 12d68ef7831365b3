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


def apply_synonyms(tokens: list[str], synonyms: dict[str, str]) -> list[str]:
    """Replace everyday wording by the catalogue's, longest first, in one pass (a replacement is
    never replaced again): ['ho', 'khau'] -> ['thuong', 'tru']; an empty replacement drops words."""
    if not synonyms or not tokens:
        return tokens
    pattern = re.compile(
        r"(?<!\S)(" + "|".join(re.escape(t) for t in sorted(synonyms, key=len, reverse=True)) + r")(?!\S)"
    )
    return pattern.sub(lambda m: synonyms[m.group(1)], " ".join(tokens)).split()


def correct_tokens(tokens: list[str], vocabulary: frozenset[str]) -> list[str]:
    """Each word the catalogue does not have, replaced by its closest word: 'sih' -> 'sinh'.
    Short words and numbers are left alone (too many near neighbours)."""
    import difflib

    corrected = []
    for token in tokens:
        if token in vocabulary or len(token) < 3 or token.isdigit():
            corrected.append(token)
            continue
        close = difflib.get_close_matches(token, vocabulary, n=1, cutoff=0.8)
        corrected.append(close[0] if close else token)
    return corrected
