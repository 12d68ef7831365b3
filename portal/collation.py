"""Vietnamese alphabetical order for lists of names: a ă â b c d đ e ê g … u ư v x y, tones after
letters (a à ả ã á ạ). `vietnamese("name")` orders by it on both databases: PostgreSQL has the
ICU collation "vi" (procedures migration 0005), SQLite gets the same name registered on each
connection with the Python key below."""

import unicodedata

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "vi"
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_MODIFIERS = {"\u0306": "ă", "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"}}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def _letters(text: str):
    """(letter, tone) for each letter of text, lower-cased: 'Ấ' -> ('â', 4)."""
    for char in unicodedata.normalize("NFC", text.lower()):
        base, *marks = unicodedata.normalize("NFD", char)
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark == "\u0306" and base == "a":
                base = "ă"
            elif isinstance(_MODIFIERS.get(mark), dict) and base in _MODIFIERS[mark]:
                base = _MODIFIERS[mark][base]
        yield base, tone


def sort_key(text: str) -> tuple:
    """Letters first (Vietnamese alphabet, then anything else by code point), tones second."""
    letters = list(_letters(text or ""))
    primary = tuple((0, _ALPHABET.index(base)) if base in _ALPHABET else (1, ord(base[0])) for base, _tone in letters)
    return primary, tuple(tone for _base, tone in letters)


def compare(a: str, b: str) -> int:
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def vietnamese(field: str):
    """An order_by expression: Vietnamese order of a text column."""
    return Collate(F(field), COLLATION)


def register_sqlite_collation(sender, connection, **kwargs):
    """connection_created receiver: SQLite has no ICU, give it the same order by name."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)
