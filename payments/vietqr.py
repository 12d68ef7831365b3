"""VietQR (NAPAS 247) payloads: the EMVCo merchant-presented QR string any Vietnamese banking app
can scan to transfer a dossier's fee to the receiving unit's account, with the dossier code as the
transfer's purpose so the payment can be matched back to the dossier.

Layout (EMVCo QRCPS-MPM; NAPAS "VietQR" IBFT profile). Every data object is ID (2 digits) + length
(2 digits, zero-padded) + value, and templates (38, 62) nest the same encoding:

    00 "01"             payload format indicator
    01 "11" | "12"      point of initiation: static (no amount) / dynamic (amount given)
    38                  merchant account information, NAPAS:
       00 "A000000727"      NAPAS GUID
       01                   beneficiary organization: 00 bank BIN (6 digits), 01 account number
       02 "QRIBFTTA"        service: inter-bank fund transfer 24/7 to an account
    53 "704"            currency, VND (ISO 4217)
    54                  amount in whole đồng, only when given
    58 "VN"             country
    59 / 60             merchant name / city, only when given (ASCII, at most 25 / 15 characters)
    62                  additional data: 08 purpose of transaction = the reference (dossier code)
    63                  CRC-16/CCITT-FALSE over everything before it, "6304" included, 4 uppercase hex

Pure Python, no Django imports, so it is usable anywhere; the page draws the code with
portal.pdf.qr_svg.
"""

from __future__ import annotations

import re
import unicodedata

NAPAS_GUID = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"

REFERENCE_MAX_LENGTH = 25
MERCHANT_NAME_MAX_LENGTH = 25
MERCHANT_CITY_MAX_LENGTH = 15
AMOUNT_MAX = 10**13 - 1  # ID 54 holds at most 13 characters

_BANK_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[A-Za-z0-9]{1,19}")
# Dossier codes look like "000.00.06.H56-250101-0001": letters, digits, dots and hyphens.
_REFERENCE = re.compile(r"[A-Za-z0-9._-]+")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0 (check value 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is {len(value)} characters long; the limit is 99.")
    return f"{tag}{len(value):02d}{value}"


def _ascii(text: str, *, field: str, max_length: int) -> str:
    """Vietnamese text as plain ASCII: diacritics dropped, đ/Đ as d/D, spaces collapsed, cut to length."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = " ".join(text.split())
    if not _PRINTABLE_ASCII.fullmatch(text):
        bad = "".join(sorted({ch for ch in text if not _PRINTABLE_ASCII.fullmatch(ch)}))
        raise ValueError(f"{field} has characters that cannot be written in ASCII: {bad!r}.")
    return text[:max_length].rstrip()


def _validate(bank_bin: str, account: str, amount: int | None, reference: str) -> None:
    if not isinstance(bank_bin, str) or not _BANK_BIN.fullmatch(bank_bin):
        raise ValueError(f"Bank BIN must be exactly 6 digits, got {bank_bin!r}.")
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise ValueError(f"Account number must be 1 to 19 letters or digits (no spaces or dashes), got {account!r}.")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"Amount must be a whole number of đồng, got {amount!r}.")
        if amount <= 0:
            raise ValueError(f"Amount must be positive, got {amount}.")
        if amount > AMOUNT_MAX:
            raise ValueError(f"Amount must have at most 13 digits, got {amount}.")
    if not isinstance(reference, str) or not reference:
        raise ValueError("Reference (the dossier code) is required.")
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValueError(
            f"Reference {reference!r} is {len(reference)} characters long; VietQR allows at most {REFERENCE_MAX_LENGTH}."
        )
    if not _REFERENCE.fullmatch(reference):
        raise ValueError(
            f"Reference {reference!r} may only contain ASCII letters, digits, '.', '-' and '_' (no spaces or accents)."
        )


def vietqr_payload(
    *,
    bank_bin: str,
    account: str,
    amount: int | None,
    reference: str,
    merchant_name: str = "",
    city: str = "",
) -> str:
    """The EMVCo/VietQR string for a transfer of `amount` đồng (None: the payer types it) to
    `account` at the bank with NAPAS BIN `bank_bin`, with `reference` as the transfer's purpose.

    Raises ValueError on a malformed BIN, account, amount or reference. The merchant name and city
    are display-only: they are transliterated to ASCII and cut to 25 / 15 characters.
    """
    _validate(bank_bin, account, amount, reference)
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant_account = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TRANSFER_TO_ACCOUNT)

    parts = [
        _tlv("00", "01"),
        _tlv("01", "11" if amount is None else "12"),
        _tlv("38", merchant_account),
        _tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount)))
    parts.append(_tlv("58", COUNTRY_VN))
    name = _ascii(merchant_name, field="Merchant name", max_length=MERCHANT_NAME_MAX_LENGTH)
    if name:
        parts.append(_tlv("59", name))
    town = _ascii(city, field="City", max_length=MERCHANT_CITY_MAX_LENGTH)
    if town:
        parts.append(_tlv("60", town))
    parts.append(_tlv("62", _tlv("08", reference)))

    body = "".join(parts) + "6304"
    return f"{body}{crc16_ccitt(body.encode('ascii')):04X}"


def parse_tlv(payload: str) -> dict[str, str]:
    """Split one level of EMVCo ID/length/value objects into {id: value}. Apply it again to a
    template's value (38, 62, ...) to read its sub-fields. Raises ValueError on malformed input."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(payload):
        header = payload[pos : pos + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise ValueError(f"Malformed EMVCo data at position {pos}: expected 2-digit ID and length, got {header!r}.")
        tag, length = header[:2], int(header[2:])
        value = payload[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"EMVCo field {tag} at position {pos} declares {length} characters but has {len(value)}.")
        if tag in fields:
            raise ValueError(f"EMVCo field {tag} appears twice.")
        fields[tag] = value
        pos += 4 + length
    return fields


# NAPAS BINs (the 6-digit bank identifier of field 38/01/00) of the banks a province's treasury and
# one-stop offices commonly hold accounts at, with the name banking apps show. Checked against the
# NAPAS member list published with VietQR bank directories (bankId = BIN).
NAPAS_BANKS: dict[str, str] = {
    "970436": "Vietcombank",
    "970415": "VietinBank",
    "970418": "BIDV",
    "970405": "Agribank",
    "970407": "Techcombank",
    "970422": "MB",
    "970416": "ACB",
    "970432": "VPBank",
    "970403": "Sacombank",
}


def bank_name(bank_bin: str) -> str:
    """The bank's short name for a NAPAS BIN, or "" for a BIN not in the table."""
    return NAPAS_BANKS.get(bank_bin, "")
