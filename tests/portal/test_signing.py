"""Digital signatures on result documents: a demo PKI, PAdES signing, and validation checked
both by pyHanko (our verify_pdf) and independently by Poppler's pdfsig."""

import os
import random
import re
import stat
import subprocess
from io import BytesIO

import pytest

from portal.signing import SigningNotConfigured, ensure_demo_pki, sign_pdf, verify_pdf
from tests.conftest import _need

PDFSIG = "/usr/bin/pdfsig"


@pytest.fixture
def signed_pdf(pki, plain_pdf):
    return sign_pdf(plain_pdf, reason="Kết quả giải quyết thủ tục hành chính", location="Thái An")


def _pdfsig(tmp_path, data: bytes) -> str:
    _need(os.path.exists(PDFSIG), "needs poppler-utils (pdfsig)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    # pdfsig exits non-zero for an invalid signature; its report is what we check
    return subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout


def _first_signed_range_end(data: bytes) -> int:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match, "no /ByteRange in the signed PDF"
    start, length = int(match.group(1)), int(match.group(2))
    assert start == 0
    return length


def _flip_byte_in_signed_content(data: bytes) -> bytes:
    """Flip one byte inside the first stream's data, well within the signed byte range."""
    end = _first_signed_range_end(data)
    position = data.index(b"stream", 0, end) + len(b"stream\n") + 8
    assert position < end
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    return bytes(tampered)


# --- the demo PKI -----------------------------------------------------------------------------


def test_ensure_demo_pki_is_idempotent(tmp_path):
    first = ensure_demo_pki(tmp_path)
    files = (first.ca_cert, first.cert, first.key)
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}

    second = ensure_demo_pki(tmp_path)

    assert second == first
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files} == before
    assert stat.S_IMODE(first.key.stat().st_mode) == 0o600
    assert first.key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # unencrypted PEM


def test_ensure_demo_pki_remakes_an_incomplete_set(tmp_path):
    first = ensure_demo_pki(tmp_path)
    old_ca = first.ca_cert.read_bytes()
    first.key.unlink()

    second = ensure_demo_pki(tmp_path)

    assert second.key.is_file()
    assert second.ca_cert.read_bytes() != old_ca  # a whole new chain, so cert and key match


def test_demo_certificates(tmp_path):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    identity = ensure_demo_pki(tmp_path)
    ca = x509.load_pem_x509_certificate(identity.ca_cert.read_bytes())
    agency = x509.load_pem_x509_certificate(identity.cert.read_bytes())

    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert "KHÔNG dùng thật" in ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert agency.issuer == ca.subject
    assert agency.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = agency.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert agency.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Ủy ban nhân dân tỉnh Thái An"
    assert agency.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    agency.verify_directly_issued_by(ca)


# --- signing and verifying --------------------------------------------------------------------


def test_signed_pdf_verifies(signed_pdf):
    result = verify_pdf(signed_pdf)

    assert result.signed and result.intact and result.trusted and result.unmodified, result.summary
    assert result.signer == "UBND tỉnh Thái An — Demo"
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" in result.summary  # B-LT: time-stamped
    assert "EXTENDED_WITH_LTA_UPDATES" in result.summary  # the DSS after the signature, nothing else
    assert result.whole_file and result.ltv and result.timestamped_at is not None


def test_baseline_b_signature_is_untouched(pki, plain_pdf):
    result = verify_pdf(sign_pdf(plain_pdf, reason="r", location="l", long_term=False))

    assert "INTACT:TRUSTED,UNTOUCHED" in result.summary
    assert result.whole_file and not result.ltv and result.timestamped_at is None


def test_signed_pdf_is_pades(signed_pdf):
    assert b"/ETSI.CAdES.detached" in signed_pdf
    assert b"/KetQua" in signed_pdf or b"(KetQua)" in signed_pdf


def test_too_small_reservation_falls_back_to_measuring(pki, plain_pdf, monkeypatch):
    import portal.signing

    monkeypatch.setattr(portal.signing, "_contents_reservation", lambda *paths, **options: 64)

    result = verify_pdf(sign_pdf(plain_pdf, reason="r", location="l"))

    assert result.intact and result.trusted and result.unmodified, result.summary


def test_pdfsig_accepts_the_signature(tmp_path, signed_pdf):
    report = _pdfsig(tmp_path, signed_pdf)

    assert "Signature Validation: Signature is Valid." in report, report
    assert "Not total document signed" in report, report  # B-LT: the DSS follows the signature


def test_pdfsig_sees_a_baseline_b_signature_cover_the_whole_file(tmp_path, pki, plain_pdf):
    report = _pdfsig(tmp_path, sign_pdf(plain_pdf, reason="r", location="l", long_term=False))

    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report, report


def test_flipped_byte_breaks_the_signature(tmp_path, signed_pdf):
    tampered = _flip_byte_in_signed_content(signed_pdf)

    result = verify_pdf(tampered)

    assert result.signed is True
    assert result.intact is False, result.summary
    report = _pdfsig(tmp_path, tampered)
    assert "Signature Validation: Signature is Valid." not in report, report
    assert "Signature Validation:" in report, report


def test_untrusted_ca_is_not_trusted(tmp_path, settings, signed_pdf):
    other = ensure_demo_pki(tmp_path / "other")
    settings.RESULT_SIGNING_CA = str(other.ca_cert)

    result = verify_pdf(signed_pdf)

    assert result.signed and result.intact
    assert result.trusted is False


def test_second_signature_keeps_both_valid(pki, signed_pdf):
    twice = sign_pdf(signed_pdf, reason="Phê duyệt", location="Thái An", field_name="PheDuyet")

    result = verify_pdf(twice)

    assert result.signed and result.intact and result.trusted and result.unmodified, result.summary
    assert result.summary.count("\n") == 1  # one line per signature


def test_unsigned_change_after_signing_is_reported(signed_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf), strict=False)
    page = writer.root["/Pages"]["/Kids"][0]
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)

    result = verify_pdf(out.getvalue())

    assert result.signed and result.intact  # the signed bytes are untouched...
    assert result.unmodified is False, result.summary  # ...but the document was changed after


def test_unsigned_pdf(pki, plain_pdf):
    result = verify_pdf(plain_pdf)

    assert result.signed is False
    assert result.summary


@pytest.mark.parametrize(
    "garbage",
    [random.Random(0).randbytes(4096), b"", b"%PDF-1.7\n garbled \x00\xff trailer"],
    ids=["random", "empty", "garbled-pdf"],
)
def test_garbage_is_not_signed_and_does_not_raise(pki, garbage):
    result = verify_pdf(garbage)

    assert result.signed is False
    assert result.intact is False and result.trusted is False
    assert result.summary


def test_sign_without_settings_raises(settings, plain_pdf):
    settings.RESULT_SIGNING_CERT = ""
    settings.RESULT_SIGNING_KEY = ""
    settings.RESULT_SIGNING_CA = ""

    with pytest.raises(SigningNotConfigured, match="RESULT_SIGNING_CERT"):
        sign_pdf(plain_pdf, reason="x", location="y")


def test_sign_with_missing_files_raises(tmp_path, settings, plain_pdf):
    settings.RESULT_SIGNING_CERT = str(tmp_path / "nope.pem")
    settings.RESULT_SIGNING_KEY = str(tmp_path / "nope.key")
    settings.RESULT_SIGNING_CA = str(tmp_path / "ca.pem")

    with pytest.raises(SigningNotConfigured, match="not found"):
        sign_pdf(plain_pdf, reason="x", location="y")


def test_verify_without_ca_setting_trusts_nobody(settings, signed_pdf):
    settings.RESULT_SIGNING_CA = ""

    result = verify_pdf(signed_pdf)

    assert result.signed and result.intact
    assert result.trusted is False
    assert "RESULT_SIGNING_CA" in result.summary
