"""Personal ID and phone numbers shown by their last digits only, wherever the whole number is not
needed (Decree 13/2023: data minimisation): staff lists and search results, exports, API lists.
The whole number is shown on the dossier's desk page to the officers whose work needs it
(dossiers.access.sees_whole_numbers) and to the person themself."""

MASK = "•"


def _mask(value, keep: int) -> str:
    text = "" if value is None else str(value)
    if len(text) <= keep:
        return text
    return MASK * (len(text) - keep) + text[-keep:]


def mask_id(value) -> str:
    """mask_id("079201001234") -> "••••••••1234"."""
    return _mask(value, 4)


def mask_phone(value) -> str:
    """mask_phone("0912345678") -> "•••••••678"."""
    return _mask(value, 3)
