"""Digital signatures on result documents: PAdES signing and validation with pyHanko.

The signing certificate, its private key and the CA that issued it come from the settings
RESULT_SIGNING_CERT, RESULT_SIGNING_KEY and RESULT_SIGNING_CA (paths to PEM or DER files),
read at call time. ``ensure_demo_pki`` makes a throw-away PKI for development and tests:
its root CA is marked as not for real use.

pyHanko and its validator are slow to import, so they are only imported inside the functions
that need them: the web process does not pay for them at start-up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEMO_CA_NAME = "Demo Root CA — Cổng dịch vụ công (KHÔNG dùng thật)"
DEMO_AGENCY_NAME = "UBND tỉnh Thái An — Demo"
DEMO_AGENCY_ORG = "Ủy ban nhân dân tỉnh Thái An"


class SigningNotConfigured(ImproperlyConfigured):
    """RESULT_SIGNING_CERT / RESULT_SIGNING_KEY / RESULT_SIGNING_CA are unset or unusable."""


class TimestampUnavailable(OSError):
    """The time-stamp authority (TSA_URL) did not answer, or refused: nothing was signed. A
    transient failure: the Celery task that renders a result retries it."""


@dataclass(frozen=True)
class SigningIdentity:
    """Where a PKI's files are: the CA certificate, the agency's certificate and its key (PEM)."""

    ca_cert: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class Verification:
    """What the validator found in a PDF, over all its signatures.

    signed: at least one signature is embedded.
    intact: every signature's digest matches the bytes it covers, and its cryptography checks out.
    trusted: every signer's certificate chains to the configured CA (RESULT_SIGNING_CA).
    unmodified: nothing was added after the last signature except validation data or time
        stamps, and what was added between signatures was only further signing or form filling
        that the document's permissions allow.
    signer: the last signer's certificate subject (common name), "" if unsigned.
    signed_at: the signing time the last signer claims (not a trusted time stamp), or None.
    summary: one line per signature, for people and logs.
    readable: the bytes are a PDF pyHanko can read (False: not a PDF at all, or a wreck).
    whole_file: the last signature covers every byte of the file, or what was appended after it
        is only long-term validation data (a DSS with certificates and CRLs, document time stamps),
        as PAdES B-LT / B-LTA adds: nothing else, not even a harmless comment.
    timestamped_at: the time the TSA attests in the last signature's RFC 3161 time stamp, when
        the token is intact and its TSA chains to the trust roots; else None.
    ltv: long-term validation data is present (a DSS with revocation data) and every signature
        validates as PAdES long-term at the moment of checking (proof of existence from its
        time stamp), so it still verifies after its certificate expired or was revoked later.
    """

    signed: bool
    intact: bool
    trusted: bool
    unmodified: bool
    signer: str
    signed_at: dt.datetime | None
    summary: str
    readable: bool = True
    whole_file: bool = False
    timestamped_at: dt.datetime | None = None
    ltv: bool = False


# --- Demo PKI ---------------------------------------------------------------------------------


def ensure_demo_pki(
    directory: Path, *, passphrase: str = "", agencies: dict[str, str] | None = None
) -> SigningIdentity:
    """Create a demo root CA and a province signing certificate in ``directory`` unless present,
    and one certificate per agency of ``agencies`` (code → name) under ``directory/agencies``.

    Idempotent: when ca.pem, ca.key, agency.pem and agency.key all exist they are left untouched.
    If any is missing, all are made anew (agency certificates too: they must chain to the new CA).
    The demo CA's key is kept (ca.key) so that an agency added later gets its certificate then.
    Keys are PEM, mode 0600, encrypted with ``passphrase`` when one is given (production's
    RESULT_SIGNING_KEY_PASSPHRASE).
    """
    directory = Path(directory)
    identity = SigningIdentity(
        ca_cert=directory / "ca.pem", cert=directory / "agency.pem", key=directory / "agency.key"
    )
    ca_key_path = directory / "ca.key"
    complete = all(path.is_file() for path in (identity.ca_cert, ca_key_path, identity.cert, identity.key))
    if not complete:
        _make_demo_chain(directory, identity, ca_key_path, passphrase)
    elif not _current(identity.cert, identity.key, DEMO_AGENCY_NAME):  # e.g. issued before CRLs
        ca_cert, ca_key = _load_demo_ca(directory, passphrase)
        _issue_signing_cert(
            ca_key, ca_cert, org=DEMO_AGENCY_ORG, name=DEMO_AGENCY_NAME, cert=identity.cert, key=identity.key,
            passphrase=passphrase,
        )  # fmt: skip
    ensure_demo_tsa(directory, passphrase=passphrase)
    demo_crl(directory, passphrase=passphrase)
    for code, name in (agencies or {}).items():
        ensure_demo_agency_identity(directory, code=code, name=name, passphrase=passphrase)
    return identity


def _make_demo_chain(directory: Path, identity: SigningIdentity, ca_key_path: Path, passphrase: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(days=1)  # tolerate clock skew between machines

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cổng dịch vụ công — Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    directory.mkdir(parents=True, exist_ok=True)
    for stale in (directory / AGENCY_SUBDIR).glob("*.*"):  # issued by the CA being replaced
        stale.unlink(missing_ok=True)
    for stale in (directory / "tsa.pem", directory / "tsa.key", directory / CRL_FILE):
        stale.unlink(missing_ok=True)
    _issue_signing_cert(
        ca_key, ca_cert, org=DEMO_AGENCY_ORG, name=DEMO_AGENCY_NAME, cert=identity.cert, key=identity.key,
        passphrase=passphrase,
    )  # fmt: skip
    _write_atomic(ca_key_path, _key_pem(ca_key, passphrase), mode=0o600)
    _write_atomic(identity.ca_cert, _cert_pem(ca_cert), mode=0o644)  # last: marks completion


AGENCY_SUBDIR = "agencies"


def ensure_demo_agency_identity(
    directory: Path, *, code: str, name: str, passphrase: str = "", agency_dir: Path | None = None
) -> tuple[Path, Path]:
    """The demo certificate of one agency (CN = its name), issued by the demo CA in ``directory``
    the first time it is needed: ``<code>.pem`` and ``<code>.key`` in ``agency_dir``
    (default ``directory/agencies``)."""
    import fcntl

    directory = Path(directory)
    cert, key = agency_identity_paths(Path(agency_dir) if agency_dir else directory / AGENCY_SUBDIR, code)
    if _current(cert, key, name):
        return cert, key
    cert.parent.mkdir(parents=True, exist_ok=True)
    with open(cert.parent / ".lock", "w") as lock:  # two workers must not write a mismatched pair
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _current(cert, key, name):
            return cert, key
        ca_cert, ca_key = _load_demo_ca(directory, passphrase)
        _issue_signing_cert(ca_key, ca_cert, org=name, name=name, cert=cert, key=key, passphrase=passphrase)
    return cert, key


def _load_demo_ca(directory: Path, passphrase: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ca_cert = x509.load_pem_x509_certificate((Path(directory) / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key(
        (Path(directory) / "ca.key").read_bytes(), password=passphrase.encode() or None
    )
    return ca_cert, ca_key


def _current(cert: Path, key: Path, name: str) -> bool:
    """Both files exist, the certificate still carries the agency's name (a renamed agency's
    demo certificate is issued again, so the signature names what the paper names), is not about
    to expire and names the demo CRL where it is published now (certificates issued before the
    demo CA published a CRL, or under another PORTAL_BASE_URL, are issued again)."""
    if not (cert.is_file() and key.is_file()):
        return False
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    if [a.value for a in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] != [name[:64]]:
        return False
    if certificate.not_valid_after_utc < dt.datetime.now(dt.UTC) + dt.timedelta(days=7):
        return False
    return _crl_urls(certificate) == [demo_crl_url()]


def _crl_urls(certificate) -> list[str]:
    from cryptography import x509

    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in (point.full_name or ())
        if isinstance(name, x509.UniformResourceIdentifier)
    ]


def demo_crl_url() -> str:
    """Where the demo CA's CRL is published: ``{PORTAL_BASE_URL}/pki/ca.crl``."""
    base = str(getattr(settings, "PORTAL_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/pki/{CRL_FILE}"


def agency_identity_paths(agency_dir: Path, code: str) -> tuple[Path, Path]:
    """``<code>.pem`` and ``<code>.key`` in ``agency_dir``; a code that is not a plain file name is refused."""
    if not code or code.startswith(".") or any(not (ch.isalnum() or ch in "._-") for ch in code):
        raise SigningNotConfigured(f"Agency code {code!r} cannot name a certificate file.")
    return Path(agency_dir) / f"{code}.pem", Path(agency_dir) / f"{code}.key"


def _issue_signing_cert(
    ca_key,
    ca_cert,
    *,
    org: str,
    name: str,
    cert: Path,
    key: Path,
    passphrase: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    time_stamping: bool = False,
):
    """Issue a signing certificate (or, with ``time_stamping``, the TSA's: extended key usage
    timeStamping, critical, as RFC 3161 requires) naming the demo CRL; returns it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    agency_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    agency_cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, org[:64]),
                    x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),  # X.520: at most 64 characters
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(agency_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not time_stamping,  # non-repudiation: pyHanko requires it for signing
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(agency_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(demo_crl_url())], None, None, None)]
            ),
            critical=False,
        )
    )
    if time_stamping:
        agency_cert = agency_cert.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    agency_cert = agency_cert.sign(ca_key, hashes.SHA256())
    _write_atomic(key, _key_pem(agency_key, passphrase), mode=0o600)
    _write_atomic(cert, _cert_pem(agency_cert), mode=0o644)
    return agency_cert


def _key_pem(private_key, passphrase: str) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption(),
    )


def _cert_pem(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    """Write through a temporary file created with ``mode`` (never wider), then rename over."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # os.open's mode is filtered by the umask
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- Demo CRL and time-stamp authority ---------------------------------------------------------

CRL_FILE = "ca.crl"
DEMO_TSA_NAME = "Demo TSA — Cổng dịch vụ công (KHÔNG dùng thật)"
CRL_VALIDITY = dt.timedelta(days=7)  # nextUpdate
CRL_REISSUE_AFTER = dt.timedelta(days=1)  # a CRL older than this is issued again when read


def ensure_demo_tsa(directory: Path, *, passphrase: str = "") -> tuple[Path, Path]:
    """The demo time-stamp authority's certificate and key (``tsa.pem`` / ``tsa.key``), issued
    by the demo CA in ``directory`` (extended key usage timeStamping, critical)."""
    import fcntl

    directory = Path(directory)
    cert, key = directory / "tsa.pem", directory / "tsa.key"
    if _current(cert, key, DEMO_TSA_NAME):
        return cert, key
    with open(directory / ".tsa.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _current(cert, key, DEMO_TSA_NAME):
            ca_cert, ca_key = _load_demo_ca(directory, passphrase)
            _issue_signing_cert(
                ca_key, ca_cert, org="Cổng dịch vụ công — Demo", name=DEMO_TSA_NAME, cert=cert, key=key,
                passphrase=passphrase, time_stamping=True,
            )  # fmt: skip
    return cert, key


def demo_crl(directory: Path, *, passphrase: str = "") -> bytes:
    """The demo CA's current CRL (DER), from ``directory/ca.crl``; issued again (same revoked
    entries) when missing, older than a day, or signed by another CA."""
    path = Path(directory) / CRL_FILE
    if (data := _fresh_crl(path, Path(directory) / "ca.pem")) is not None:
        return data
    return _write_crl(Path(directory), passphrase=passphrase)


def revoke_demo_certificate(
    directory: Path,
    serial: int,
    *,
    revoked_at: dt.datetime | None = None,
    passphrase: str = "",
    issued_at: dt.datetime | None = None,
) -> bytes:
    """Put ``serial`` on the demo CA's CRL (revocation date ``revoked_at``, default now) and
    issue the CRL again (thisUpdate ``issued_at``, default now; tests date it later to stand for
    a CRL published after the revocation); returns it (DER)."""
    when = revoked_at or dt.datetime.now(dt.UTC)
    return _write_crl(Path(directory), passphrase=passphrase, add=(serial, when), issued_at=issued_at)


def _fresh_crl(path: Path, ca_path: Path) -> bytes | None:
    from cryptography import x509

    if not (path.is_file() and ca_path.is_file()):
        return None
    data = path.read_bytes()
    try:
        crl = x509.load_der_x509_crl(data)
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    except ValueError:
        return None
    now = dt.datetime.now(dt.UTC)
    if crl.issuer != ca.subject or not crl.is_signature_valid(ca.public_key()):
        return None
    if crl.next_update_utc is None or now - crl.last_update_utc > CRL_REISSUE_AFTER or crl.next_update_utc < now:
        return None
    return data


def _write_crl(
    directory: Path,
    *,
    passphrase: str,
    add: tuple[int, dt.datetime] | None = None,
    issued_at: dt.datetime | None = None,
) -> bytes:
    import fcntl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    with open(directory / ".crl.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ca_cert, ca_key = _load_demo_ca(directory, passphrase)
        revoked: dict[int, dt.datetime] = {}
        path = directory / CRL_FILE
        if path.is_file():
            try:
                old = x509.load_der_x509_crl(path.read_bytes())
                if old.issuer == ca_cert.subject and old.is_signature_valid(ca_cert.public_key()):
                    revoked = {entry.serial_number: entry.revocation_date_utc for entry in old}
            except ValueError:
                pass  # a damaged file: start a new list
        if add:
            revoked[add[0]] = add[1]
        now = issued_at or dt.datetime.now(dt.UTC)
        number = int(dt.datetime.now(dt.UTC).timestamp() * 1000)  # increases with every issue
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now - dt.timedelta(seconds=5))
            .next_update(now + CRL_VALIDITY)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                    ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
                ),
                critical=False,
            )
        )
        for serial, when in sorted(revoked.items()):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        data = builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        _write_atomic(path, data, mode=0o644)
        return data


def _demo_pki_dir() -> Path | None:
    """The demo CA's directory (the one of RESULT_SIGNING_CA, holding ca.key) when DEMO_PKI is on."""
    if not getattr(settings, "DEMO_PKI", False):
        return None
    ca = str(getattr(settings, "RESULT_SIGNING_CA", "") or "").strip()
    if not ca or not (Path(ca).parent / "ca.key").is_file():
        return None
    return Path(ca).parent


def _passphrase() -> str:
    return getattr(settings, "RESULT_SIGNING_KEY_PASSPHRASE", "") or ""


def demo_timestamper(directory: Path | None = None):
    """pyHanko's DummyTimeStamper answering as the demo TSA (its certificate and key from
    ``directory``, default the demo CA's): the in-process TSA and the /pki/tsa/ responder."""
    directory = Path(directory) if directory else _demo_pki_dir()
    if directory is None:
        raise SigningNotConfigured(
            "No time-stamp authority: set TSA_URL (the demo TSA needs DEMO_PKI and the demo CA)."
        )
    cert, key = ensure_demo_tsa(directory, passphrase=_passphrase())
    return _cached_timestamper(str(cert), str(key), cert.stat().st_mtime_ns, _passphrase())


@functools.lru_cache(maxsize=4)
def _cached_timestamper(cert: str, key: str, _mtime: int, passphrase: str):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    private = serialization.load_pem_private_key(Path(key).read_bytes(), password=passphrase.encode() or None)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    class DemoTimeStamper(DummyTimeStamper):
        """The TSA's time in UTC, read for each request (DummyTimeStamper takes local time)."""

        def request_tsa_response(self, req):
            import copy

            clone = copy.copy(self)
            clone.fixed_dt = dt.datetime.now(dt.UTC).replace(microsecond=0)
            return DummyTimeStamper.request_tsa_response(clone, req)

    return DemoTimeStamper(tsa_cert=load_cert_from_pemder(cert), tsa_key=keys.PrivateKeyInfo.load(der))


def _timestamper():
    """TSA_URL's time-stamp authority over HTTP (RFC 3161); without one, outside production, the
    demo TSA in-process (no socket: tests and the Celery worker need no server)."""
    url = str(getattr(settings, "TSA_URL", "") or "").strip()
    if url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(url, timeout=float(getattr(settings, "TSA_TIMEOUT", 10)))
    return demo_timestamper()


def tsa_reply(query: bytes) -> tuple[bytes, bool]:
    """The demo TSA's answer (DER TimeStampResp) to an RFC 3161 TimeStampReq and whether it was
    granted; a query that does not parse gets a 'rejection, badDataFormat' reply. Raises
    SigningNotConfigured without the demo PKI."""
    from asn1crypto import tsp

    stamper = demo_timestamper()
    try:
        request = tsp.TimeStampReq.load(query)
        _ = request.native  # parse it all now: asn1crypto is lazy
        if request["version"].native != "v1":
            raise ValueError("version")
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        get_pyca_cryptography_hash(request["message_imprint"]["hash_algorithm"]["algorithm"].native)
    except Exception:  # any malformed query is refused the RFC 3161 way, never a 500
        from asn1crypto import core

        class Rejection(core.Sequence):  # TimeStampResp without its token (asn1crypto requires one)
            _fields = [("status", tsp.PKIStatusInfo)]

        status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({"bad_data_format"})})
        return Rejection({"status": status}).dump(), False
    return stamper.request_tsa_response(request).dump(), True


def _trust_roots_for_signing(ca_path: Path) -> list:
    from pyhanko.keys import load_certs_from_pemder

    extra = str(getattr(settings, "TSA_CA_CERT", "") or "").strip()
    return list(load_certs_from_pemder([str(ca_path), *([extra] if extra else [])]))


def _known_crls() -> list:
    """The demo CA's current CRL (asn1crypto), when the demo PKI is on; else none."""
    directory = _demo_pki_dir()
    if directory is None:
        return []
    from asn1crypto import crl

    return [crl.CertificateList.load(demo_crl(directory, passphrase=_passphrase()))]


class _KnownRevocationData(logging.Filter):
    """pyHanko warns on every signature that fetching is off while validation data is embedded:
    we hand it the demo CRL on purpose (with SIGNING_FETCH_REVOCATION it does fetch)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "but fetching is not allowed" not in record.getMessage()


_quiet = _KnownRevocationData()


def _signing_context(ca_path: Path):
    """Validation context for B-LT signing: the CA (and TSA_CA_CERT) as roots, revocation data
    from the demo CRL or, with SIGNING_FETCH_REVOCATION, fetched from the CA's CRL/OCSP URLs;
    hard-fail when there is a source, so a revoked signer cannot sign."""
    from pyhanko_certvalidator import ValidationContext

    fetch = bool(getattr(settings, "SIGNING_FETCH_REVOCATION", False))
    crls = _known_crls()
    pyhanko_log = logging.getLogger("pyhanko.sign.signers.pdf_signer")
    if _quiet not in pyhanko_log.filters:
        pyhanko_log.addFilter(_quiet)
    mode = "hard-fail" if (fetch or crls) else "soft-fail"
    return ValidationContext(
        trust_roots=_trust_roots_for_signing(ca_path), crls=crls, allow_fetching=fetch, revocation_mode=mode
    )


# --- Signing ----------------------------------------------------------------------------------


def _agency_paths(code: str, name: str) -> tuple[Path, Path, Path]:
    """The certificate and key of the agency that decides, from RESULT_SIGNING_AGENCY_DIR
    (``<agency code>.pem`` / ``.key``, the key under RESULT_SIGNING_KEY_PASSPHRASE), and the CA.

    With RESULT_SIGNING_DEMO_ISSUE (development, tests) a missing one is issued by the demo CA
    next to RESULT_SIGNING_CA. Never the province's certificate instead: a paper must not say
    one agency while its signature says another."""
    ca = str(getattr(settings, "RESULT_SIGNING_CA", "") or "").strip()
    agency_dir = str(getattr(settings, "RESULT_SIGNING_AGENCY_DIR", "") or "").strip()
    if not ca or not agency_dir:
        raise SigningNotConfigured(
            "Agency signing is not configured: set RESULT_SIGNING_CA and RESULT_SIGNING_AGENCY_DIR "
            "(a directory with <agency code>.pem and <agency code>.key per agency)."
        )
    ca_path = Path(ca)
    cert, key = agency_identity_paths(Path(agency_dir), code)
    if getattr(settings, "RESULT_SIGNING_DEMO_ISSUE", False):
        if (ca_path.parent / "ca.key").is_file():
            passphrase = getattr(settings, "RESULT_SIGNING_KEY_PASSPHRASE", "") or ""
            ensure_demo_agency_identity(
                ca_path.parent, code=code, name=name, passphrase=passphrase, agency_dir=Path(agency_dir)
            )
    missing = [str(path) for path in (cert, key, ca_path) if not path.is_file()]
    if missing:
        raise SigningNotConfigured(f"No signing certificate for agency {code} ({name}): missing {', '.join(missing)}")
    return cert, key, ca_path


def _configured_paths() -> tuple[Path, Path, Path]:
    names = ("RESULT_SIGNING_CERT", "RESULT_SIGNING_KEY", "RESULT_SIGNING_CA")
    values = [getattr(settings, name, "") or "" for name in names]
    unset = [name for name, value in zip(names, values, strict=True) if not str(value).strip()]
    if unset:
        raise SigningNotConfigured(
            f"Result signing is not configured: set {', '.join(unset)} to the agency certificate, "
            "its private key and the issuing CA certificate (PEM or DER files)."
        )
    paths = tuple(Path(value) for value in values)
    missing = [f"{name}={path}" for name, path in zip(names, paths, strict=True) if not path.is_file()]
    if missing:
        raise SigningNotConfigured(f"Result signing files not found: {', '.join(missing)}")
    return paths  # type: ignore[return-value]


def _off_the_event_loop(function):
    """pyHanko's synchronous API calls asyncio.run(), which fails inside a running event loop
    (an ASGI server, or Playwright's sync API in the browser tests): run it in a thread then."""
    import asyncio
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper


@_off_the_event_loop
def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    field_name: str = "KetQua",
    agency_code: str = "",
    agency_name: str = "",
    long_term: bool = True,
) -> bytes:
    """Sign ``pdf`` as PAdES baseline B-LT (invisible signature field ``field_name``): the
    signature carries an RFC 3161 time stamp from the TSA (TSA_URL, or the demo TSA in-process),
    and a document security store (DSS) with the certificates and the revocation data (CRL) that
    validate the signer and the TSA then, so the signature can be validated after the signer's
    certificate expired or was revoked. ``long_term=False`` signs baseline B (no time stamp, no
    DSS), for comparison (bench/signing.py).

    With ``agency_code``, as that agency (see _agency_paths); without, with the province's
    certificate (RESULT_SIGNING_CERT / RESULT_SIGNING_KEY).
    Raises SigningNotConfigured when the RESULT_SIGNING_* settings are unset, point at missing
    files or the key material cannot be loaded, or no TSA is configured. A ``pdf`` pyHanko cannot
    read raises pyHanko's PdfReadError; a field name already holding a signature or a signer whose
    certificate is revoked or expired raise its SigningError; a TSA that does not answer (or
    refuses) raises TimestampUnavailable.
    """
    if agency_code:
        cert_path, key_path, ca_path = _agency_paths(agency_code, agency_name or agency_code)
    else:
        cert_path, key_path, ca_path = _configured_paths()

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    passphrase = _passphrase()
    signer = signers.SimpleSigner.load(
        key_file=str(key_path),
        cert_file=str(cert_path),
        ca_chain_files=(str(ca_path),),
        key_passphrase=passphrase.encode() or None,
    )
    if signer is None:  # pyHanko logs the cause and returns None
        raise SigningNotConfigured(
            f"Could not load the signing key {key_path} or certificate {cert_path} (see the log for the cause; "
            "an encrypted key needs RESULT_SIGNING_KEY_PASSPHRASE, an unencrypted one none)."
        )
    timestamper = _timestamper() if long_term else None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=long_term,
        validation_context=_signing_context(ca_path) if long_term else None,
    )

    def sign(reserved: int | None) -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper)
        return pdf_signer.sign_pdf(writer, bytes_reserved=reserved).getvalue()

    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    try:
        try:
            return sign(_contents_reservation(cert_path, ca_path, timestamped=long_term))
        except SigningError as exc:
            if "larger than expected" not in str(exc):
                raise
            # our reservation was too small after all (a real TSA's token): let pyHanko size it with a dry run
            return sign(None)
    except TimestampRequestError as exc:
        raise TimestampUnavailable(f"The time-stamp authority did not answer or refused: {exc}") from exc


@_off_the_event_loop
def archive_timestamp_pdf(pdf: bytes) -> bytes:
    """Add a document time stamp after the DSS (PAdES B-LTA), for archive packages: it covers
    the signatures and their validation data, so they stay verifiable after the algorithms or
    the TSA's certificate age. The TSA's own validation data goes into the DSS first."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    ca = str(getattr(settings, "RESULT_SIGNING_CA", "") or "").strip()
    if not ca or not Path(ca).is_file():
        raise SigningNotConfigured("RESULT_SIGNING_CA is not set: cannot validate the time stamp authority.")
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    out = signers.PdfTimeStamper(_timestamper()).timestamp_pdf(
        writer, "sha256", validation_context=_signing_context(Path(ca)), bytes_reserved=16384
    )
    return out.getvalue()


@_off_the_event_loop
def timestamp_token(data: bytes) -> bytes:
    """An RFC 3161 time-stamp token (DER ContentInfo) over the SHA-256 of ``data``, from the TSA."""
    import asyncio
    import hashlib

    token = asyncio.run(_timestamper().async_timestamp(hashlib.sha256(data).digest(), "sha256"))
    return token.dump()


class TimestampInvalid(ValueError):
    """A time-stamp token that is malformed, does not cover the data, or is not from a trusted TSA."""


@_off_the_event_loop
def verify_timestamp_token(data: bytes, token: bytes) -> dt.datetime:
    """The time the TSA attests for ``data`` in ``token`` (from timestamp_token); raises
    TimestampInvalid when the token does not parse, its imprint is not the data's, its signature
    does not hold or the TSA's certificate does not chain to the configured trust roots."""
    import asyncio
    import hashlib

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        content = cms.ContentInfo.load(token)
        if content["content_type"].native != "signed_data":
            raise TimestampInvalid("not a SignedData time-stamp token")
        signed_data = content["content"]
        _ = signed_data.native  # parse it all now: asn1crypto is lazy

        def imprint(algorithm: str) -> bytes:
            return hashlib.new(algorithm, data).digest()

        roots, note = _trust_roots()
        context = ValidationContext(trust_roots=roots, crls=_known_crls(), allow_fetching=False)
        from pyhanko.sign.validation.status import TimestampSignatureStatus

        status = TimestampSignatureStatus(**asyncio.run(validate_tst_signed_data(signed_data, context, imprint)))
    except TimestampInvalid:
        raise
    except Exception as exc:  # asn1crypto and pyHanko raise several kinds on a bad token
        raise TimestampInvalid(f"unreadable time-stamp token: {type(exc).__name__}: {exc}") from exc
    if not (status.intact and status.valid):
        raise TimestampInvalid("the time-stamp token does not cover this data or its signature does not hold")
    if not status.trusted:
        raise TimestampInvalid(f"the time stamp authority is not trusted. {note}".strip())
    return status.timestamp


def _contents_reservation(cert_path: Path, ca_path: Path, *, timestamped: bool = False) -> int:
    """Room, in hex digits, for the CMS signature in /Contents.

    Without it pyHanko signs twice (a dry run to measure, then for real), and with an RSA key
    each run spends ~30 ms re-validating the key. The CMS holds the signer's and the chain's
    certificates (their PEM files are bigger than their DER, so are an upper bound), the
    signature value (512 bytes for RSA-4096) and signed attributes (well under 2 KiB).
    """
    upper_bound = cert_path.stat().st_size + ca_path.stat().st_size + 4096
    if timestamped:  # the time-stamp token: the TSA's certificate (and its chain), its signature
        upper_bound += 2 * ca_path.stat().st_size + 4096
    return 2 * upper_bound


# --- Verification -----------------------------------------------------------------------------


def _trust_roots() -> tuple[list, str]:
    """The configured CA as the only trust root; none (so nothing is trusted) when unset."""
    from pyhanko.keys import load_certs_from_pemder

    ca = getattr(settings, "RESULT_SIGNING_CA", "") or ""
    if not str(ca).strip():
        return [], "RESULT_SIGNING_CA is not set: no signer can be trusted"
    try:
        return list(load_certs_from_pemder([str(ca)])), ""
    except (OSError, ValueError) as exc:
        return [], f"cannot read RESULT_SIGNING_CA ({ca}): {exc}"


@_off_the_event_loop
def verify_pdf(pdf: bytes, *, at: dt.datetime | None = None) -> Verification:
    """Validate every signature embedded in ``pdf`` against the configured CA.

    Each signature is checked twice: as of now (``at``, default now) with the demo CA's current
    CRL when there is one, and as PAdES long-term (ETSI EN 319 102-1 past validation, pyHanko's
    ades_lta_validation) using the time stamp as proof of existence and the validation data in
    the DSS. A signature is trusted when either holds: so a result still verifies after its
    signer's certificate expired or was revoked, as long as it was time-stamped and carried
    its revocation data before that.

    Never raises on bad input: a non-PDF, a garbled PDF or an unreadable signature comes back
    as a Verification whose summary says what went wrong.
    """
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises several kinds on garbage; the caller only needs "no"
        return Verification(
            signed=False,
            intact=False,
            trusted=False,
            unmodified=False,
            signer="",
            signed_at=None,
            summary=f"Not a readable PDF: {type(exc).__name__}: {exc}",
            readable=False,
        )
    if not embedded:
        return Verification(
            signed=False,
            intact=False,
            trusted=False,
            unmodified=False,
            signer="",
            signed_at=None,
            summary="The PDF carries no digital signature.",
        )

    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots, trust_note = _trust_roots()
    crls = _known_crls()
    has_dss = _has_revocation_data(reader)
    intact = trusted = unmodified = True
    whole_file = False
    ltv = has_dss
    signer, signed_at, timestamped_at = "", None, None
    lines = []
    last = len(embedded) - 1
    for index, sig in enumerate(embedded):
        name = sig.field_name
        document_timestamp = sig.sig_object_type == "/DocTimeStamp"
        try:
            context = ValidationContext(
                trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode="soft-fail", moment=at
            )
            if document_timestamp:
                status = validate_pdf_timestamp(sig, validation_context=context)
            else:
                status = validate_pdf_signature(sig, context)
        except Exception as exc:  # a malformed signature value: report it, go on with the others
            intact = trusted = unmodified = ltv = False
            lines.append(f"{name}: cannot validate: {type(exc).__name__}: {exc}")
            continue
        long_term, long_term_note = (False, "") if document_timestamp else _long_term_valid(sig, roots, crls, at)
        intact = intact and status.intact and status.valid
        trusted = trusted and (status.trusted or long_term)
        if not document_timestamp:
            ltv = ltv and long_term
        level = status.modification_level
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            sig_unmodified = True
            sig_whole = True
        elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None:
            # after the last signature only LTA data (DSS, document time stamps) may follow;
            # earlier signatures may also be followed by further signing / form filling
            allowed = ModificationLevel.LTA_UPDATES if index == last else ModificationLevel.FORM_FILLING
            # a document time stamp has no DocMDP verdict of its own (None)
            docmdp_ok = status.docmdp_ok is not False if document_timestamp else bool(status.docmdp_ok)
            sig_unmodified = docmdp_ok and level <= allowed
            # ...and no stray bytes after the last revision's %%EOF (diff analysis reads revisions only)
            sig_whole = docmdp_ok and level <= ModificationLevel.LTA_UPDATES and _ends_at_eof(pdf)
        else:
            sig_unmodified = sig_whole = False
        unmodified = unmodified and sig_unmodified
        whole_file = sig_whole  # the last one counts
        if document_timestamp:
            lines.append(f"{name}: document time stamp ({status.timestamp.isoformat()}): {status.summary()}")
            continue
        signer = _common_name(status.signing_cert)
        signed_at = status.signer_reported_dt
        tst = status.timestamp_validity
        timestamped_at = tst.timestamp if tst is not None and tst.intact and tst.valid and tst.trusted else None
        when = signed_at.isoformat() if signed_at else "no signing time"
        stamped = f", time stamp {timestamped_at.isoformat()}" if timestamped_at else ", no trusted time stamp"
        lines.append(f"{name}: {signer} ({when}{stamped}): {status.summary()}; long-term: {long_term_note}")
    if trust_note:
        lines.append(trust_note)
    return Verification(
        signed=True,
        intact=intact,
        trusted=trusted,
        unmodified=unmodified,
        whole_file=whole_file,
        signer=signer,
        signed_at=signed_at,
        summary="\n".join(lines),
        timestamped_at=timestamped_at,
        ltv=bool(ltv and signer),
    )


def _ends_at_eof(pdf: bytes) -> bool:
    """Nothing but end-of-line whitespace follows the file's last %%EOF marker."""
    return pdf.rstrip(b"\r\n\t \x00").endswith(b"%%EOF")


def _has_revocation_data(reader) -> bool:
    """The PDF has a document security store holding CRLs or OCSP responses."""
    try:
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no /DSS (NoDSSFoundError) or a damaged one
        return False
    return bool(dss.crls or dss.ocsps)


def _dss_knowledge(reader):
    """The certificates, CRLs and OCSP responses of the PDF's DSS, as pyHanko's LocalKnowledge."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS
        return LocalKnowledge()
    return LocalKnowledge(
        known_crls=[
            CRLContainer(asn1_crl.CertificateList.load(item.get_object().read_data(DecodePurpose.CRL)))
            for item in dss.crls
        ],
        known_ocsps=[
            container
            for item in dss.ocsps
            for container in OCSPContainer.load_multi(
                asn1_ocsp.OCSPResponse.load(item.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            )
        ],
        known_certs=list(dss.load_certs()),
    )


def _document_timestamps_after(sig) -> bool:
    return any(
        other.sig_object_type == "/DocTimeStamp" and other.signed_revision > sig.signed_revision
        for other in sig.reader.embedded_signatures
    )


def _long_term_valid(sig, roots: list, crls: list, at: dt.datetime | None) -> tuple[bool, str]:
    """PAdES long-term validation of one signature (pyHanko's ades_lta_validation): revocation
    data required for the signer and the TSA, only what the PDF carries plus ``crls``, no
    fetching. (passed, "PASSED" or the AdES sub-indication and reason)."""
    import asyncio

    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import ades_lta_validation, ades_with_time_validation
    from pyhanko.sign.validation.policy_decl import (
        LocalKnowledge,
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager
    from pyhanko_certvalidator.revinfo.archival import CRLContainer

    if not roots:
        return False, "no trust roots"
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            local_knowledge=LocalKnowledge(known_crls=[CRLContainer(crl) for crl in crls]),
        )
    )
    moment = at or dt.datetime.now(dt.UTC)
    timing = ValidationTimingInfo(validation_time=moment, best_signature_time=moment, point_in_time_validation=False)
    try:
        # B-LT: validation with time (EN 319 102-1 § 5.5), the signature time stamp as proof of
        # existence and the DSS's certificates and CRLs as local knowledge
        known = _dss_knowledge(sig.reader)
        with_time = dataclasses.replace(
            spec.signature_validation_spec,
            local_knowledge=LocalKnowledge(
                known_crls=[CRLContainer(crl) for crl in crls] + known.known_crls,
                known_ocsps=known.known_ocsps,
                known_certs=known.known_certs,
            ),
        )
        result = asyncio.run(
            ades_with_time_validation(
                signed_data=sig.signed_data,
                validation_spec=with_time,
                timing_info=timing,
                raw_digest=sig.compute_digest(),
                extra_status_kwargs=sig.summarise_integrity_info(),
                status_cls=PdfSignatureStatus,
            )
        )
        if result.ades_subindic != AdESPassed.OK and _document_timestamps_after(sig):
            # B-LTA: the document time stamps are the evidence record (EN 319 102-1 § 5.6.3)
            result = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
    except Exception as exc:  # an unexpected structure: not long-term valid, say why
        return False, f"cannot validate: {type(exc).__name__}: {exc}"
    if result.ades_subindic == AdESPassed.OK:
        return True, "PASSED"
    return False, f"{result.ades_subindic.name}: {result.failure_msg or ''}".strip(": ")


def _common_name(cert) -> str:
    """The certificate subject's common name, or its whole subject when it has none."""
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # an odd subject encoding should not sink the report
        return "?"
