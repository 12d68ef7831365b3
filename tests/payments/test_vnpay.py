"""Protocol tests for payments.vnpay (pure functions, no database)."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest

from payments import vnpay

SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"
BASE_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"


def _hmac512(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


def _callback(**overrides):
    """A VNPAY return/IPN query for 50 000 đồng, signed with SECRET."""
    query = {
        "vnp_Amount": "5000000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14980726",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nộp lệ phí hồ sơ HS-2025-001",
        "vnp_PayDate": "20250302003510",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14980726",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "HS-2025-001",
    }
    query.update(overrides)
    query["vnp_SecureHash"] = vnpay.sign(query, SECRET)
    return query


def _build(**overrides):
    kwargs = {
        "base_url": BASE_URL,
        "tmn_code": "MOTCUA01",
        "hash_secret": SECRET,
        "amount": 50_000,
        "txn_ref": "HS-2025-001",
        "order_info": "Nộp lệ phí hồ sơ HS-2025-001",
        "return_url": "https://motcua.example.vn/thanh-toan/ket-qua?x=1",
        "ip_addr": "203.0.113.7",
        "created_at": datetime(2025, 3, 1, 17, 30, 5, tzinfo=UTC),
    }
    kwargs.update(overrides)
    return vnpay.build_payment_url(**kwargs)


def _split(url):
    parts = urlsplit(url)
    return parts, dict(parse_qsl(parts.query, keep_blank_values=True))


# --- signature vectors -------------------------------------------------------------------


class TestSignatureVector:
    PARAMS = {
        "vnp_TxnRef": "HS-2025-001",
        "vnp_OrderInfo": "Nộp lệ phí hồ sơ HS-2025-001",
        "vnp_Amount": 5000000,
        "vnp_ReturnUrl": "https://motcua.example.vn/thanh-toan/ket-qua?x=1",
        "vnp_Locale": "vn",
    }
    # Sorted by key; quote_plus: space -> "+", UTF-8 percent-encoding, "/:?=" escaped, "-" kept.
    #   ộ = U+1ED9 = E1 BB 99, ệ = U+1EC7 = E1 BB 87, í = U+00ED = C3 AD,
    #   ồ = U+1ED3 = E1 BB 93, ơ = U+01A1 = C6 A1
    EXPECTED_QUERY = (
        "vnp_Amount=5000000"
        "&vnp_Locale=vn"
        "&vnp_OrderInfo=N%E1%BB%99p+l%E1%BB%87+ph%C3%AD+h%E1%BB%93+s%C6%A1+HS-2025-001"
        "&vnp_ReturnUrl=https%3A%2F%2Fmotcua.example.vn%2Fthanh-toan%2Fket-qua%3Fx%3D1"
        "&vnp_TxnRef=HS-2025-001"
    )

    def test_canonical_query_matches_hand_built_string(self):
        assert vnpay.canonical_query(self.PARAMS) == self.EXPECTED_QUERY

    def test_sign_matches_hand_computed_hmac_sha512(self):
        expected = hmac.new(SECRET.encode(), self.EXPECTED_QUERY.encode(), hashlib.sha512).hexdigest()
        assert vnpay.sign(self.PARAMS, SECRET) == expected

    def test_sign_is_lowercase_hex_sha512(self):
        signature = vnpay.sign(self.PARAMS, SECRET)
        assert len(signature) == 128
        assert signature == signature.lower()
        int(signature, 16)

    def test_hash_fields_and_foreign_and_empty_params_are_not_signed(self):
        noisy = dict(
            self.PARAMS,
            vnp_SecureHash="deadbeef",
            vnp_SecureHashType="HmacSHA512",
            utm_source="zalo",
            vnp_BankCode="",
        )
        assert vnpay.canonical_query(noisy) == self.EXPECTED_QUERY
        assert vnpay.sign(noisy, SECRET) == vnpay.sign(self.PARAMS, SECRET)

    def test_key_order_of_input_does_not_matter(self):
        reversed_params = dict(reversed(list(self.PARAMS.items())))
        assert vnpay.sign(reversed_params, SECRET) == vnpay.sign(self.PARAMS, SECRET)

    def test_different_secret_gives_different_hash(self):
        assert vnpay.sign(self.PARAMS, SECRET) != vnpay.sign(self.PARAMS, SECRET + "x")

    def test_empty_secret_rejected(self):
        with pytest.raises(ValueError):
            vnpay.sign(self.PARAMS, "")


# --- payment URL -------------------------------------------------------------------------


class TestBuildPaymentUrl:
    def test_contains_all_protocol_params(self):
        parts, params = _split(_build())
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == BASE_URL
        assert params == {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": "MOTCUA01",
            "vnp_Amount": "5000000",
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": "HS-2025-001",
            "vnp_OrderInfo": "Nộp lệ phí hồ sơ HS-2025-001",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": "https://motcua.example.vn/thanh-toan/ket-qua?x=1",
            "vnp_IpAddr": "203.0.113.7",
            "vnp_CreateDate": "20250302003005",
            "vnp_ExpireDate": "20250302004505",
            "vnp_SecureHash": params["vnp_SecureHash"],
        }
        assert "vnp_SecureHashType" not in params

    def test_hash_verifies_independently(self):
        parts, params = _split(_build())
        signed_part, _, secure_hash = parts.query.rpartition("&vnp_SecureHash=")
        assert parts.query.endswith(f"&vnp_SecureHash={secure_hash}")
        # The query before the hash is exactly the signed string.
        assert signed_part == vnpay.canonical_query(params)
        assert secure_hash == _hmac512(SECRET, signed_part)

    def test_url_round_trips_through_verify_callback(self):
        _, params = _split(_build())
        result = vnpay.verify_callback(params, SECRET)
        assert result.valid_signature
        assert result.amount == 50_000
        assert result.txn_ref == "HS-2025-001"

    def test_amount_is_multiplied_by_100(self):
        _, params = _split(_build(amount=1_234_567))
        assert params["vnp_Amount"] == "123456700"

    def test_dates_in_gmt7_from_utc(self):
        # 17:30:05 UTC on 1 March is 00:30:05 on 2 March in Việt Nam.
        _, params = _split(_build(created_at=datetime(2025, 3, 1, 17, 30, 5, tzinfo=UTC), expire_minutes=30))
        assert params["vnp_CreateDate"] == "20250302003005"
        assert params["vnp_ExpireDate"] == "20250302010005"

    def test_dates_from_other_offsets(self):
        vn = timezone(timedelta(hours=7))
        paris = timezone(timedelta(hours=1))
        _, from_vn = _split(_build(created_at=datetime(2025, 3, 2, 0, 30, 5, tzinfo=vn)))
        _, from_paris = _split(_build(created_at=datetime(2025, 3, 1, 18, 30, 5, tzinfo=paris)))
        assert from_vn["vnp_CreateDate"] == from_paris["vnp_CreateDate"] == "20250302003005"
        assert from_vn["vnp_ExpireDate"] == from_paris["vnp_ExpireDate"] == "20250302004505"

    def test_naive_datetime_rejected(self):
        with pytest.raises(ValueError):
            _build(created_at=datetime(2025, 3, 1, 17, 30, 5))

    def test_locale_en_and_order_type(self):
        _, params = _split(_build(locale="en", order_type="billpayment"))
        assert params["vnp_Locale"] == "en"
        assert params["vnp_OrderType"] == "billpayment"

    @pytest.mark.parametrize("locale", ["vi", "EN", ""])
    def test_bad_locale_rejected(self, locale):
        with pytest.raises(ValueError):
            _build(locale=locale)

    @pytest.mark.parametrize("amount", [0, -100, 10.5, True, "50000"])
    def test_bad_amount_rejected(self, amount):
        with pytest.raises(ValueError):
            _build(amount=amount)

    @pytest.mark.parametrize("expire_minutes", [0, -5])
    def test_bad_expiry_rejected(self, expire_minutes):
        with pytest.raises(ValueError):
            _build(expire_minutes=expire_minutes)

    def test_missing_required_value_rejected(self):
        with pytest.raises(ValueError, match="txn_ref"):
            _build(txn_ref="")


# --- callbacks ---------------------------------------------------------------------------


class TestVerifyCallback:
    def test_valid_paid_callback(self):
        result = vnpay.verify_callback(_callback(), SECRET)
        assert result == vnpay.CallbackResult(
            valid_signature=True,
            txn_ref="HS-2025-001",
            amount=50_000,
            response_code="00",
            transaction_status="00",
            bank_code="NCB",
            transaction_no="14980726",
            paid=True,
        )

    def test_tampered_amount_invalid(self):
        query = _callback()
        query["vnp_Amount"] = "500000"
        result = vnpay.verify_callback(query, SECRET)
        assert not result.valid_signature
        assert not result.paid

    def test_tampered_response_code_invalid(self):
        query = _callback(vnp_ResponseCode="24", vnp_TransactionStatus="02")
        query["vnp_ResponseCode"] = "00"
        query["vnp_TransactionStatus"] = "00"
        result = vnpay.verify_callback(query, SECRET)
        assert not result.valid_signature
        assert not result.paid

    def test_forged_signature_invalid(self):
        query = _callback()
        query["vnp_SecureHash"] = _hmac512("attacker-guess", vnpay.canonical_query(query))
        assert not vnpay.verify_callback(query, SECRET).valid_signature

    def test_wrong_secret_invalid(self):
        assert not vnpay.verify_callback(_callback(), SECRET + "x").valid_signature

    def test_unsigned_invalid(self):
        query = _callback()
        del query["vnp_SecureHash"]
        result = vnpay.verify_callback(query, SECRET)
        assert not result.valid_signature
        assert not result.paid
        assert result.amount == 50_000

    @pytest.mark.parametrize("bad_hash", ["", "abc", "z" * 128, "é" * 128, "0" * 127])
    def test_malformed_signature_invalid_without_exception(self, bad_hash):
        query = _callback()
        query["vnp_SecureHash"] = bad_hash
        assert not vnpay.verify_callback(query, SECRET).valid_signature

    def test_uppercase_hash_accepted(self):
        query = _callback()
        query["vnp_SecureHash"] = query["vnp_SecureHash"].upper()
        result = vnpay.verify_callback(query, SECRET)
        assert result.valid_signature
        assert result.paid

    def test_secure_hash_type_and_foreign_params_ignored(self):
        query = _callback()
        query["vnp_SecureHashType"] = "HmacSHA512"
        query["next"] = "/ho-so/"
        assert vnpay.verify_callback(query, SECRET).valid_signature

    @pytest.mark.parametrize("raw_amount", ["abc", "", "-5000000", "50000.00", " 5000000", "+5000000", "٥٠٠"])
    def test_non_numeric_amount_invalid(self, raw_amount):
        query = _callback(vnp_Amount=raw_amount)  # correctly signed, but the amount is garbage
        result = vnpay.verify_callback(query, SECRET)
        assert not result.valid_signature
        assert not result.paid
        assert result.amount == 0

    def test_missing_amount_invalid(self):
        query = _callback()
        del query["vnp_Amount"]
        query["vnp_SecureHash"] = vnpay.sign(query, SECRET)
        assert not vnpay.verify_callback(query, SECRET).valid_signature

    def test_empty_query_invalid(self):
        result = vnpay.verify_callback({}, SECRET)
        assert not result.valid_signature
        assert not result.paid
        assert result.txn_ref == ""

    def test_empty_secret_invalid_without_exception(self):
        assert not vnpay.verify_callback(_callback(), "").valid_signature

    @pytest.mark.parametrize(
        ("response_code", "transaction_status", "paid"),
        [
            ("00", "00", True),
            ("00", "01", False),  # not completed
            ("24", "02", False),  # customer cancelled
            ("07", "00", False),
            ("", "", False),
        ],
    )
    def test_paid_flag(self, response_code, transaction_status, paid):
        query = _callback(vnp_ResponseCode=response_code, vnp_TransactionStatus=transaction_status)
        result = vnpay.verify_callback(query, SECRET)
        assert result.valid_signature
        assert result.paid is paid

    def test_accepts_django_querydict(self):
        from django.http import QueryDict

        qd = QueryDict(mutable=True)
        for key, value in _callback().items():
            qd[key] = value
        assert vnpay.verify_callback(qd, SECRET).paid


# --- IPN reply ---------------------------------------------------------------------------


class TestIpnResponse:
    @pytest.mark.parametrize(
        ("constant", "code"),
        [
            (vnpay.IPN_SUCCESS, "00"),
            (vnpay.IPN_ORDER_NOT_FOUND, "01"),
            (vnpay.IPN_ALREADY_CONFIRMED, "02"),
            (vnpay.IPN_INVALID_AMOUNT, "04"),
            (vnpay.IPN_INVALID_SIGNATURE, "97"),
            (vnpay.IPN_UNKNOWN_ERROR, "99"),
        ],
    )
    def test_codes(self, constant, code):
        assert constant == code
        assert vnpay.ipn_response(constant, "msg") == {"RspCode": code, "Message": "msg"}

    def test_standard_message(self):
        assert vnpay.ipn_response(vnpay.IPN_SUCCESS, vnpay.IPN_MESSAGES[vnpay.IPN_SUCCESS]) == {
            "RspCode": "00",
            "Message": "Confirm Success",
        }

    def test_unknown_code_rejected(self):
        with pytest.raises(ValueError):
            vnpay.ipn_response("42", "nope")
