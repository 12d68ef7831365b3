import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit personal ID number (Circular 59/2021/TT-BCA):
# the 63 pre-2025 province codes, 001-096 with gaps.
_PROVINCE_CODES = {
    1,
    2,
    4,
    6,
    8,
    10,
    11,
    12,
    14,
    15,
    17,
    19,
    20,
    22,
    24,
    25,
    26,
    27,
    30,
    31,
    33,
    34,
    35,
    36,
    37,
    38,
    40,
    42,
    44,
    45,
    46,
    48,
    49,
    51,
    52,
    54,
    56,
    58,
    60,
    62,
    64,
    66,
    67,
    68,
    70,
    72,
    74,
    75,
    77,
    79,
    80,
    82,
    83,
    84,
    86,
    87,
    89,
    91,
    92,
    93,
    94,
    95,
    96,
}
_PHONE_RE = re.compile(r"^0[35789][0-9]{8}$")


def validate_personal_id(value: str) -> None:
    """Check a personal ID number: 12 digits, a known province code, a century/sex digit."""
    if not re.fullmatch(r"[0-9]{12}", value or ""):
        raise ValidationError(_("The personal ID number must be exactly 12 digits."), code="format")
    if int(value[:3]) not in _PROVINCE_CODES:
        raise ValidationError(_("The personal ID number starts with an unknown province code."), code="province")


def normalize_phone(value: str) -> str:
    """Return a Vietnamese mobile number as 10 digits starting with 0 (+84/84 accepted)."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    if not _PHONE_RE.fullmatch(normalize_phone(value)):
        raise ValidationError(_("Enter a Vietnamese mobile number of 10 digits, e.g. 0912345678."), code="phone")
