"""Pure protocol layer for a VNPAY-style payment gateway (API version 2.1.0).

No Django models or settings here: the payments app wraps these helpers.

Protocol summary (VNPAY public integration docs, sandbox.vnpayment.vn/apis/docs):

* The payment URL is ``<base_url>?<canonical query>&vnp_SecureHash=<hash>``.
* The canonical query holds every ``vnp_*`` parameter except ``vnp_SecureHash``
  and ``vnp_SecureHashType``, sorted by key, each key and value encoded with
  ``urllib.parse.quote_plus`` (space -> ``+``, UTF-8 percent-encoding), joined
  with ``&``.  Empty values are left out, as VNPAY's reference code does.
* ``vnp_SecureHash`` is HMAC-SHA512(hash secret, canonical query) as hex.  VNPAY
  emits lowercase hex; received hashes are compared case-insensitively.
* ``vnp_Amount`` is the amount in đồng multiplied by 100.
* ``vnp_CreateDate`` / ``vnp_ExpireDate`` are ``yyyyMMddHHmmss`` in GMT+7.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

__all__ = [
    "IPN_ALREADY_CONFIRMED",
    "IPN_INVALID_AMOUNT",
    "IPN_INVALID_SIGNATURE",
    "IPN_ORDER_NOT_FOUND",
    "IPN_SUCCESS",
    "IPN_UNKNOWN_ERROR",
    "CallbackResult",
    "QueryResult",
    "build_payment_url",
    "build_query_request",
    "canonical_query",
    "format_vnpay_datetime",
    "ipn_response",
    "sign",
    "verify_callback",
    "verify_query_response",
]

VERSION = "2.1.0"
COMMAND_PAY = "pay"
CURRENCY_VND = "VND"
LOCALES = frozenset({"vn", "en"})

PARAM_PREFIX = "vnp_"
HASH_PARAM = "vnp_SecureHash"
HASH_TYPE_PARAM = "vnp_SecureHashType"
_UNSIGNED_PARAMS = frozenset({HASH_PARAM, HASH_TYPE_PARAM})

#: Vietnam has used UTC+7 without DST since 1975; a fixed offset avoids a tzdata dependency.
VN_TZ = timezone(timedelta(hours=7), name="GMT+7")
DATE_FORMAT = "%Y%m%d%H%M%S"

#: Code meaning "success" for both vnp_ResponseCode and vnp_TransactionStatus.
SUCCESS_CODE = "00"

# IPN acknowledgement codes (the merchant's JSON reply to VNPAY's IPN call).
IPN_SUCCESS = "00"  # Confirm Success
IPN_ORDER_NOT_FOUND = "01"  # Order not found
IPN_ALREADY_CONFIRMED = "02"  # Order already confirmed
IPN_INVALID_AMOUNT = "04"  # Invalid amount
IPN_INVALID_SIGNATURE = "97"  # Invalid signature
IPN_UNKNOWN_ERROR = "99"  # Unknown error

IPN_MESSAGES: dict[str, str] = {
    IPN_SUCCESS: "Confirm Success",
    IPN_ORDER_NOT_FOUND: "Order not found",
    IPN_ALREADY_CONFIRMED: "Order already confirmed",
    IPN_INVALID_AMOUNT: "Invalid amount",
    IPN_INVALID_SIGNATURE: "Invalid signature",
    IPN_UNKNOWN_ERROR: "Unknown error",
}

_DIGITS = re.compile(r"[0-9]+")
_HEX_SHA512 = re.compile(r"[0-9a-fA-F]{128}")


@dataclass(frozen=True, slots=True)
class CallbackResult:
    """Outcome of checking a VNPAY return-URL or IPN query.

    ``paid`` is only ever True when the signature is valid.
    """

    valid_signature: bool
    txn_ref: str
    amount: int  # đồng (vnp_Amount // 100); 0 when missing or unparsable
    response_code: str
    transaction_status: str
    bank_code: str
    transaction_no: str
    paid: bool


def _is_signed_param(key: str, value: object) -> bool:
    return key.startswith(PARAM_PREFIX) and key not in _UNSIGNED_PARAMS and value is not None and str(value) != ""


def canonical_query(params: Mapping[str, object]) -> str:
    """Return the string VNPAY signs: sorted ``vnp_*`` pairs, quote_plus-encoded, joined by ``&``.

    ``vnp_SecureHash``/``vnp_SecureHashType``, non-``vnp_`` keys and empty values are skipped.
    """
    pairs = sorted((str(k), str(v)) for k, v in params.items() if _is_signed_param(str(k), v))
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def sign(params: Mapping[str, object], hash_secret: str) -> str:
    """HMAC-SHA512 of :func:`canonical_query` with the merchant hash secret, as lowercase hex."""
    if not hash_secret:
        raise ValueError("hash_secret is required")
    message = canonical_query(params).encode("utf-8")
    return hmac.new(hash_secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def format_vnpay_datetime(value: datetime) -> str:
    """Format an aware datetime as ``yyyyMMddHHmmss`` in GMT+7."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("VNPAY timestamps need a timezone-aware datetime")
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT)


def build_payment_url(
    *,
    base_url: str,
    tmn_code: str,
    hash_secret: str,
    amount: int,
    txn_ref: str,
    order_info: str,
    return_url: str,
    ip_addr: str,
    created_at: datetime,
    expire_minutes: int = 15,
    locale: str = "vn",
    order_type: str = "other",
) -> str:
    """Build the signed URL that redirects the citizen to the VNPAY payment page.

    ``amount`` is in đồng (whole VND); it is sent as ``amount * 100``.
    ``created_at`` must be timezone-aware; it is rendered in GMT+7.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive whole number of đồng")
    if isinstance(expire_minutes, bool) or not isinstance(expire_minutes, int) or expire_minutes <= 0:
        raise ValueError("expire_minutes must be a positive integer")
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {sorted(LOCALES)}")
    required = {
        "base_url": base_url,
        "tmn_code": tmn_code,
        "txn_ref": txn_ref,
        "order_info": order_info,
        "return_url": return_url,
        "ip_addr": ip_addr,
        "order_type": order_type,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise ValueError(f"missing required value(s): {', '.join(missing)}")

    params = {
        "vnp_Version": VERSION,
        "vnp_Command": COMMAND_PAY,
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": str(amount * 100),
        "vnp_CurrCode": CURRENCY_VND,
        "vnp_TxnRef": str(txn_ref),
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": order_type,
        "vnp_Locale": locale,
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_addr,
        "vnp_CreateDate": format_vnpay_datetime(created_at),
        "vnp_ExpireDate": format_vnpay_datetime(created_at + timedelta(minutes=expire_minutes)),
    }
    query = canonical_query(params)
    secure_hash = sign(params, hash_secret)
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{query}&{HASH_PARAM}={secure_hash}"


def _signature_matches(params: Mapping[str, str], provided: object, hash_secret: str) -> bool:
    if not hash_secret or not isinstance(provided, str) or not _HEX_SHA512.fullmatch(provided):
        return False
    expected = sign(params, hash_secret)
    return hmac.compare_digest(expected, provided.lower())


def verify_callback(query: Mapping[str, object], hash_secret: str) -> CallbackResult:
    """Check the signature of a VNPAY return-URL/IPN query and extract its fields.

    Never raises for bad input: a missing, malformed or wrong signature, or a
    non-numeric ``vnp_Amount``, yields ``valid_signature=False`` (and ``paid=False``).
    Accepts a plain dict or a Django ``QueryDict`` (last value per key).
    """
    params: dict[str, str] = {str(k): "" if v is None else str(v) for k, v in query.items()}

    try:
        valid = _signature_matches(params, params.get(HASH_PARAM), hash_secret)
    except (TypeError, ValueError, UnicodeError):
        valid = False

    raw_amount = params.get("vnp_Amount", "")
    if _DIGITS.fullmatch(raw_amount):
        amount = int(raw_amount) // 100
    else:
        amount = 0
        valid = False

    response_code = params.get("vnp_ResponseCode", "")
    transaction_status = params.get("vnp_TransactionStatus", "")
    return CallbackResult(
        valid_signature=valid,
        txn_ref=params.get("vnp_TxnRef", ""),
        amount=amount,
        response_code=response_code,
        transaction_status=transaction_status,
        bank_code=params.get("vnp_BankCode", ""),
        transaction_no=params.get("vnp_TransactionNo", ""),
        paid=valid and response_code == SUCCESS_CODE and transaction_status == SUCCESS_CODE,
    )


def ipn_response(code: str, message: str) -> dict[str, str]:
    """The JSON body the merchant returns to VNPAY's IPN call."""
    if code not in IPN_MESSAGES:
        raise ValueError(f"unknown IPN response code {code!r}")
    return {"RspCode": code, "Message": message}


# --- Transaction query (vnp_Command=querydr) ------------------------------------------------
# Unlike the redirect, the query API is a JSON POST whose checksum is HMAC-SHA512 over the
# values joined by "|" in a fixed order (VNPAY merchant API docs, "Truy vấn kết quả thanh toán").
COMMAND_QUERY = "querydr"
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
#: vnp_ResponseCode of a query for a transaction the gateway does not know (yet).
QUERY_NOT_FOUND = "91"
#: vnp_TransactionStatus while the citizen has not finished paying.
TRANSACTION_PENDING = "01"


def checksum(values: Mapping[str, object], fields: tuple[str, ...], hash_secret: str) -> str:
    """HMAC-SHA512 over the named values joined by "|" (a missing value counts as empty)."""
    if not hash_secret:
        raise ValueError("hash_secret is required")
    data = "|".join("" if values.get(name) is None else str(values.get(name)) for name in fields)
    return hmac.new(hash_secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def build_query_request(
    *,
    tmn_code: str,
    hash_secret: str,
    request_id: str,
    txn_ref: str,
    transaction_date: datetime,
    created_at: datetime,
    ip_addr: str,
    order_info: str,
) -> dict:
    """The signed JSON body asking the gateway what became of payment ``txn_ref``.

    ``transaction_date`` is when the payment URL was made (its vnp_CreateDate)."""
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": COMMAND_QUERY,
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": str(txn_ref),
        "vnp_TransactionDate": format_vnpay_datetime(transaction_date),
        "vnp_CreateDate": format_vnpay_datetime(created_at),
        "vnp_IpAddr": ip_addr,
        "vnp_OrderInfo": order_info,
    }
    body["vnp_SecureHash"] = checksum(body, QUERY_REQUEST_FIELDS, hash_secret)
    return body


def verify_query_request(body: Mapping[str, object], hash_secret: str) -> bool:
    """For the sandbox gateway: is this query signed with the merchant's secret?"""
    provided = body.get(HASH_PARAM)
    if not isinstance(provided, str) or not _HEX_SHA512.fullmatch(provided):
        return False
    return hmac.compare_digest(checksum(body, QUERY_REQUEST_FIELDS, hash_secret), provided.lower())


def sign_query_response(body: dict, hash_secret: str) -> dict:
    """For the sandbox gateway: add the checksum VNPAY puts on its query answers."""
    return {**body, HASH_PARAM: checksum(body, QUERY_RESPONSE_FIELDS, hash_secret)}


@dataclass(frozen=True, slots=True)
class QueryResult:
    """What the gateway said of one payment. ``paid`` only with a valid checksum."""

    valid_signature: bool
    response_code: str
    transaction_status: str
    txn_ref: str
    amount: int
    transaction_no: str
    paid: bool
    found: bool
    settled: bool  # the gateway will not change its answer any more (paid or failed)


def verify_query_response(body: Mapping[str, object], hash_secret: str) -> QueryResult:
    """Check a querydr answer's checksum and read it. Never raises on bad input."""
    values = {str(k): "" if v is None else str(v) for k, v in body.items()} if isinstance(body, Mapping) else {}
    provided = values.get(HASH_PARAM, "")
    valid = bool(_HEX_SHA512.fullmatch(provided)) and hmac.compare_digest(
        checksum(values, QUERY_RESPONSE_FIELDS, hash_secret), provided.lower()
    )
    raw_amount = values.get("vnp_Amount", "")
    amount = int(raw_amount) // 100 if _DIGITS.fullmatch(raw_amount) else 0
    code, status = values.get("vnp_ResponseCode", ""), values.get("vnp_TransactionStatus", "")
    found = valid and code == SUCCESS_CODE
    return QueryResult(
        valid_signature=valid,
        response_code=code,
        transaction_status=status,
        txn_ref=values.get("vnp_TxnRef", ""),
        amount=amount,
        transaction_no=values.get("vnp_TransactionNo", ""),
        paid=found and status == SUCCESS_CODE,
        found=found,
        settled=found and status not in ("", TRANSACTION_PENDING),
    )
