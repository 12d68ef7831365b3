"""Long-term signatures (issue #16 part 3): PAdES B-LT with an RFC 3161 time stamp from the demo
TSA (in-process and over real HTTP) and the demo CA's CRL embedded, B-LTA document time stamps,
and results that still verify after their signer's certificate expired or was revoked."""

import datetime as dt
import os
import shutil
import subprocess
from io import BytesIO

import pytest
from cryptography import x509

from portal import signing
from portal.signing import (
    TimestampInvalid,
    archive_timestamp_pdf,
    ensure_demo_pki,
    revoke_demo_certificate,
    sign_pdf,
    timestamp_token,
    verify_pdf,
    verify_timestamp_token,
)
from tests.conftest import _need

PDFSIG = "/usr/bin/pdfsig"


def _cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _short_lived_signer(pki, settings, *, valid_for: dt.timedelta):
    """A signer certificate from the demo CA that expires ``valid_for`` from now, made the
    signing identity."""
    directory = pki.ca_cert.parent
    ca_cert, ca_key = signing._load_demo_ca(directory, "")
    now = dt.datetime.now(dt.UTC)
    cert, key = directory / "short.pem", directory / "short.key"
    issued = signing._issue_signing_cert(
        ca_key, ca_cert, org="UBND xã Ngắn Hạn", name="UBND xã Ngắn Hạn", cert=cert, key=key, passphrase="",
        not_before=now - dt.timedelta(days=2), not_after=now + valid_for,
    )  # fmt: skip
    settings.RESULT_SIGNING_CERT = str(cert)
    settings.RESULT_SIGNING_KEY = str(key)
    return issued


def _pdfsig(tmp_path, data: bytes, *args: str) -> str:
    _need(os.path.exists(PDFSIG), "needs poppler-utils (pdfsig)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([PDFSIG, *args, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path).stdout


# --- the demo PKI: CRL distribution point, CRL, TSA certificate --------------------------------


def test_demo_certificates_name_the_crl_and_the_tsa_is_for_time_stamping_only(pki, settings):
    agency = _cert(pki.cert)
    points = agency.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name] == [f"{settings.PORTAL_BASE_URL}/pki/ca.crl"]

    tsa = _cert(pki.ca_cert.parent / "tsa.pem")
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]
    tsa.verify_directly_issued_by(_cert(pki.ca_cert))

    crl = x509.load_der_x509_crl((pki.ca_cert.parent / "ca.crl").read_bytes())
    assert crl.is_signature_valid(_cert(pki.ca_cert).public_key())
    assert dt.timedelta(days=6) < crl.next_update_utc - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    assert len(crl) == 0


def test_certificates_without_the_current_crl_url_are_issued_again(pki, settings):
    old_agency, old_tsa = _cert(pki.cert), _cert(pki.ca_cert.parent / "tsa.pem")
    old_ca = pki.ca_cert.read_bytes()
    settings.PORTAL_BASE_URL = "https://dichvucong.example.vn"

    ensure_demo_pki(pki.ca_cert.parent)

    agency, tsa = _cert(pki.cert), _cert(pki.ca_cert.parent / "tsa.pem")
    assert agency.serial_number != old_agency.serial_number and tsa.serial_number != old_tsa.serial_number
    assert pki.ca_cert.read_bytes() == old_ca  # the same CA issued them
    assert signing._crl_urls(agency) == ["https://dichvucong.example.vn/pki/ca.crl"]


def test_a_stale_crl_is_issued_again_with_its_revocations(pki):
    directory = pki.ca_cert.parent
    revoke_demo_certificate(directory, 1234, issued_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))

    fresh = x509.load_der_x509_crl(signing.demo_crl(directory))

    assert dt.datetime.now(dt.UTC) - fresh.last_update_utc < dt.timedelta(minutes=1)
    assert fresh.get_revoked_certificate_by_serial_number(1234) is not None


def test_crl_endpoint_serves_the_demo_crl(client, pki):
    response = client.get("/pki/ca.crl")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    assert x509.load_der_x509_crl(response.content).issuer == _cert(pki.ca_cert).subject


def test_pki_endpoints_are_off_without_demo_pki(client, pki, settings):
    settings.DEMO_PKI = False

    assert client.get("/pki/ca.crl").status_code == 404
    assert client.post("/pki/tsa/", b"x", content_type="application/timestamp-query").status_code == 404


# --- the RFC 3161 responder --------------------------------------------------------------------


def test_tsa_endpoint_answers_openssl_and_openssl_verifies_the_reply(client, pki, tmp_path):
    _need(bool(shutil.which("openssl")), "needs openssl")
    data = tmp_path / "data.bin"
    data.write_bytes(b"bag-info manifest")
    query = subprocess.run(
        ["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert"], capture_output=True, check=True
    ).stdout

    response = client.post("/pki/tsa/", query, content_type="application/timestamp-query")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    (tmp_path / "reply.tsr").write_bytes(response.content)
    text = subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(tmp_path / "reply.tsr"), "-text"], capture_output=True, text=True
    ).stdout
    assert "Status: Granted." in text, text
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(tmp_path / "reply.tsr"), "-data", str(data),
         "-CAfile", str(pki.ca_cert), "-untrusted", str(pki.ca_cert.parent / "tsa.pem")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stdout + verified.stderr


@pytest.mark.parametrize("body", [b"\x00", b"not DER at all", b"\x30\x03\x02\x01\x05"], ids=["nul", "text", "bad-asn1"])
def test_tsa_endpoint_rejects_a_malformed_query_the_rfc_3161_way(client, pki, body, caplog, monkeypatch):
    import logging

    from asn1crypto import core, tsp

    # another test's logging.config may have disabled loggers that existed then
    monkeypatch.setattr(logging.getLogger("portal.pki_views"), "disabled", False)

    response = client.post("/pki/tsa/", body, content_type="application/timestamp-query")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/timestamp-reply"
    status = tsp.PKIStatusInfo.load(core.load(response.content)[0].dump())  # TimeStampResp, no token
    assert status["status"].native == "rejection" and status["fail_info"].native == {"bad_data_format"}
    assert "malformed time-stamp query" in caplog.text


def test_tsa_endpoint_wants_a_timestamp_query(client, pki):
    assert client.post("/pki/tsa/", b"x", content_type="application/json").status_code == 415
    assert client.get("/pki/tsa/").status_code == 405


# --- B-LT over real HTTP -----------------------------------------------------------------------


def test_b_lt_with_the_tsa_over_http_is_validated_by_pyhanko_and_pdfsig(
    live_server, pki, settings, plain_pdf, tmp_path
):
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    settings.TSA_URL = f"{live_server.url}/pki/tsa/"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    signed = sign_pdf(plain_pdf, reason="Kết quả", location="Thái An")

    result = verify_pdf(signed)
    assert result.intact and result.trusted and result.unmodified and result.whole_file, result.summary
    assert result.ltv, result.summary
    assert before <= result.timestamped_at <= dt.datetime.now(dt.UTC)

    # pyHanko on its own: the time stamp is intact and from a trusted TSA, the DSS holds the CRL
    reader = PdfFileReader(BytesIO(signed))
    roots = list(load_certs_from_pemder([str(pki.ca_cert)]))
    # pyHanko's sync API runs asyncio.run(): off the loop Playwright leaves running after browser tests.
    validate = signing._off_the_event_loop(validate_pdf_signature)
    status = validate(reader.embedded_signatures[0], ValidationContext(trust_roots=roots))
    assert status.bottom_line and status.timestamp_validity.trusted, status.pretty_print_details()
    dss = DocumentSecurityStore.read_dss(reader)
    assert len(dss.crls) == 1 and len(dss.certs) >= 2  # the CRL; the signer's, the TSA's (and CA) certificates
    long_term = signing._off_the_event_loop(signing._long_term_valid)
    assert long_term(reader.embedded_signatures[0], roots, [], None) == (True, "PASSED")

    report = _pdfsig(tmp_path, signed)
    assert "Signature Type: ETSI.CAdES.detached" in report, report
    assert "Signature Validation: Signature is Valid." in report, report
    # the CMS pdfsig extracts carries the RFC 3161 token as an unsigned attribute
    _need(bool(shutil.which("openssl")), "needs openssl")
    _pdfsig(tmp_path, signed, "-dump")
    cms = subprocess.run(
        ["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(tmp_path / "doc.pdf.sig0")],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "id-smime-aa-timeStampToken" in cms, cms[:2000]


def test_an_unreachable_tsa_stops_the_signing(pki, settings, plain_pdf):
    settings.TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nobody answers
    settings.TSA_TIMEOUT = 2

    with pytest.raises(signing.TimestampUnavailable):
        sign_pdf(plain_pdf, reason="r", location="l")


def test_timestamp_token_over_http_round_trips(live_server, pki, settings):
    settings.TSA_URL = f"{live_server.url}/pki/tsa/"

    token = timestamp_token(b"tagmanifest-sha256.txt")

    when = verify_timestamp_token(b"tagmanifest-sha256.txt", token)
    assert abs(when - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


# --- time-stamp tokens over bytes ---------------------------------------------------------------


def test_timestamp_token_covers_exactly_its_data(pki):
    token = timestamp_token(b"manifest")

    assert verify_timestamp_token(b"manifest", token).tzinfo is not None
    with pytest.raises(TimestampInvalid, match="does not cover"):
        verify_timestamp_token(b"manifesT", token)
    with pytest.raises(TimestampInvalid, match="unreadable"):
        verify_timestamp_token(b"manifest", b"\x30\x80garbage")


def test_timestamp_token_from_another_tsa_is_not_trusted(pki, settings, tmp_path):
    token = timestamp_token(b"manifest")
    other = ensure_demo_pki(tmp_path / "other")
    settings.RESULT_SIGNING_CA = str(other.ca_cert)

    with pytest.raises(TimestampInvalid, match="not trusted"):
        verify_timestamp_token(b"manifest", token)


# --- after expiry, after revocation ------------------------------------------------------------


def test_a_result_verifies_after_its_certificate_expired(pki, settings, plain_pdf):
    cert = _short_lived_signer(pki, settings, valid_for=dt.timedelta(minutes=5))
    long_term = sign_pdf(plain_pdf, reason="Kết quả", location="Thái An")
    baseline = sign_pdf(plain_pdf, reason="Kết quả", location="Thái An", long_term=False)
    later = cert.not_valid_after_utc + dt.timedelta(days=2)

    result = verify_pdf(long_term, at=later)
    assert result.trusted and result.ltv and result.intact, result.summary
    assert result.timestamped_at < cert.not_valid_after_utc
    # without a time stamp and revocation data nothing proves it was signed while valid
    plain = verify_pdf(baseline, at=later)
    assert plain.intact and not plain.trusted and not plain.ltv, plain.summary


def test_a_result_verifies_after_its_certificate_was_revoked_later(pki, settings, plain_pdf):
    cert = _short_lived_signer(pki, settings, valid_for=dt.timedelta(days=30))
    signed = sign_pdf(plain_pdf, reason="Kết quả", location="Thái An")
    now = dt.datetime.now(dt.UTC)
    revoke_demo_certificate(
        pki.ca_cert.parent, cert.serial_number, revoked_at=now + dt.timedelta(minutes=30),
        issued_at=now + dt.timedelta(minutes=31),
    )  # fmt: skip
    later = now + dt.timedelta(hours=1)

    result = verify_pdf(signed, at=later)

    assert result.trusted and result.ltv, result.summary
    # the same signature without its time stamp's proof would be refused: the CRL says revoked
    baseline = sign_pdf(plain_pdf, reason="r", location="l", long_term=False, field_name="KhongDau")
    assert not verify_pdf(baseline, at=later).trusted


def test_a_certificate_revoked_before_the_signing_time_is_not_valid(pki, settings, plain_pdf):
    cert = _short_lived_signer(pki, settings, valid_for=dt.timedelta(days=30))
    signed = sign_pdf(plain_pdf, reason="Kết quả", location="Thái An")
    # the key was compromised an hour before the signature: the CA dates the revocation then
    revoke_demo_certificate(
        pki.ca_cert.parent, cert.serial_number, revoked_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )

    result = verify_pdf(signed)

    assert result.intact and not result.trusted and not result.ltv, result.summary


def test_a_revoked_signer_cannot_sign(pki, settings, plain_pdf):
    from pyhanko.sign.general import SigningError

    cert = _short_lived_signer(pki, settings, valid_for=dt.timedelta(days=30))
    revoke_demo_certificate(pki.ca_cert.parent, cert.serial_number)

    with pytest.raises(SigningError):
        sign_pdf(plain_pdf, reason="Kết quả", location="Thái An")


# --- B-LTA --------------------------------------------------------------------------------------


def test_archive_timestamp_adds_a_document_time_stamp_after_the_dss(pki, plain_pdf, tmp_path):
    archived = archive_timestamp_pdf(sign_pdf(plain_pdf, reason="Kết quả", location="Thái An"))

    result = verify_pdf(archived)
    assert result.intact and result.trusted and result.unmodified and result.whole_file, result.summary
    assert result.ltv and result.signer == "UBND tỉnh Thái An — Demo"
    assert "document time stamp" in result.summary.splitlines()[1]
    report = _pdfsig(tmp_path, archived)
    assert "Signature #2:" in report and "Demo TSA" in report, report
    assert "Signature #1:" in report and "Signature Validation: Signature is Valid." in report, report


def test_something_appended_after_the_archive_timestamp_is_seen(pki, plain_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    archived = archive_timestamp_pdf(sign_pdf(plain_pdf, reason="Kết quả", location="Thái An"))
    writer = IncrementalPdfFileWriter(BytesIO(archived), strict=False)
    page = writer.root["/Pages"]["/Kids"][0]
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)

    result = verify_pdf(out.getvalue())

    assert result.intact and not result.unmodified and not result.whole_file, result.summary


def test_rendering_a_result_is_retried_when_the_tsa_does_not_answer(monkeypatch, submitted, settings):
    from celery.exceptions import Retry

    import dossiers.documents
    from dossiers.tasks import render_dossier_form

    def tsa_down(dossier, kind, *, base_url):
        raise signing.TimestampUnavailable("no answer")

    monkeypatch.setattr(dossiers.documents, "dossier_document", tsa_down)
    settings.CELERY_TASK_EAGER_PROPAGATES = True

    with pytest.raises(Retry):
        render_dossier_form.apply(args=(submitted.pk, "result"), throw=True)


@pytest.mark.django_db
def test_a_download_while_the_tsa_is_down_asks_to_come_back_and_renders_later(
    django_capture_on_commit_callbacks, monkeypatch
):
    """No error page when the time-stamp authority is down: the person is told to come back (the
    page) or 202 + Retry-After (the API), and the worker is asked to render the result again."""
    from django.test import Client

    from dossiers import tasks
    from dossiers.constants import DossierStatus
    from dossiers.models import DossierDocument
    from tests.dossiers.factories import DossierFactory

    dossier = DossierFactory(state=DossierStatus.FINISHED)
    DossierDocument.objects.filter(dossier=dossier, kind="result").delete()

    def down(*args, **kwargs):
        raise signing.TimestampUnavailable("no answer")

    monkeypatch.setattr("dossiers.documents.sign_pdf", down)
    queued = []
    monkeypatch.setattr(tasks.render_dossier_form, "delay", lambda *args: queued.append(args))
    client = Client()
    client.force_login(dossier.applicant)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/ho-so/{dossier.code}/giay-to/result.pdf", follow=True)
    assert page.status_code == 200 and b"being prepared" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        api = client.get(f"/api/v1/dossiers/{dossier.code}/documents/result/")
    assert api.status_code == 202 and api["Retry-After"] == "60"
    assert queued == [(dossier.pk, "result"), (dossier.pk, "result")]
    assert not DossierDocument.objects.filter(dossier=dossier, kind="result").exists()
