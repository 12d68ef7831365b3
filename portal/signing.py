"""Digital signatures on result documents: PAdES signing and validation with pyHanko.

The signing certificate, its private key and the CA that issued it come from the settings
RESULT_SIGNING_CERT, RESULT_SIGNING_KEY and RESULT_SIGNING_CA (paths to PEM or DER files),
read at call time. ``ensure_demo_pki`` makes a throw-away PKI for development and tests:
its root CA is marked as not for real use.

pyHanko and its validator are slow to import, so they are only imported inside the functions
that need them: the web process does not pay for them at start-up.
"""

from __future__ import annotations

import datetime as dt
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
    whole_file: the last signature covers every byte of the file: nothing, not even a harmless
        comment, was appended after it.
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
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        ca_cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
        ca_key = serialization.load_pem_private_key(
            (directory / "ca.key").read_bytes(), password=passphrase.encode() or None
        )
        _issue_signing_cert(ca_key, ca_cert, org=name, name=name, cert=cert, key=key, passphrase=passphrase)
    return cert, key


def _current(cert: Path, key: Path, name: str) -> bool:
    """Both files exist and the certificate still carries the agency's name (a renamed agency's
    demo certificate is issued again, so the signature names what the paper names)."""
    if not (cert.is_file() and key.is_file()):
        return False
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    subject = x509.load_pem_x509_certificate(cert.read_bytes()).subject
    return [a.value for a in subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == [name[:64]]


def agency_identity_paths(agency_dir: Path, code: str) -> tuple[Path, Path]:
    """``<code>.pem`` and ``<code>.key`` in ``agency_dir``; a code that is not a plain file name is refused."""
    if not code or code.startswith(".") or any(not (ch.isalnum() or ch in "._-") for ch in code):
        raise SigningNotConfigured(f"Agency code {code!r} cannot name a certificate file.")
    return Path(agency_dir) / f"{code}.pem", Path(agency_dir) / f"{code}.key"


def _issue_signing_cert(ca_key, ca_cert, *, org: str, name: str, cert: Path, key: Path, passphrase: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

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
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: pyHanko requires it for signing
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
        .sign(ca_key, hashes.SHA256())
    )
    _write_atomic(key, _key_pem(agency_key, passphrase), mode=0o600)
    _write_atomic(cert, _cert_pem(agency_cert), mode=0o644)


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
    pdf: bytes, *, reason: str, location: str, field_name: str = "KetQua", agency_code: str = "", agency_name: str = ""
) -> bytes:
    """Sign ``pdf`` (PAdES baseline B, invisible signature field ``field_name``).

    With ``agency_code``, as that agency (see _agency_paths); without, with the province's
    certificate (RESULT_SIGNING_CERT / RESULT_SIGNING_KEY).
    Raises SigningNotConfigured when the RESULT_SIGNING_* settings are unset, point at missing
    files or the key material cannot be loaded. A ``pdf`` pyHanko cannot read raises pyHanko's
    PdfReadError; a field name already holding a signature raises its SigningError.
    """
    if agency_code:
        cert_path, key_path, ca_path = _agency_paths(agency_code, agency_name or agency_code)
    else:
        cert_path, key_path, ca_path = _configured_paths()

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    passphrase = getattr(settings, "RESULT_SIGNING_KEY_PASSPHRASE", "") or ""
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
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        reserved = _contents_reservation(cert_path, ca_path)
        out = signers.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf), strict=False), meta, signer=signer, bytes_reserved=reserved
        )
    except SigningError as exc:
        if "larger than expected" not in str(exc):
            raise
        # our reservation was too small after all: let pyHanko size it with a dry run
        out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf), strict=False), meta, signer=signer)
    return out.getvalue()


def _contents_reservation(cert_path: Path, ca_path: Path) -> int:
    """Room, in hex digits, for the CMS signature in /Contents.

    Without it pyHanko signs twice (a dry run to measure, then for real), and with an RSA key
    each run spends ~30 ms re-validating the key. The CMS holds the signer's and the chain's
    certificates (their PEM files are bigger than their DER, so are an upper bound), the
    signature value (512 bytes for RSA-4096) and signed attributes (well under 2 KiB).
    """
    upper_bound = cert_path.stat().st_size + ca_path.stat().st_size + 4096
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
def verify_pdf(pdf: bytes) -> Verification:
    """Validate every signature embedded in ``pdf`` against the configured CA.

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
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots, trust_note = _trust_roots()
    intact = trusted = unmodified = True
    whole_file = False
    signer, signed_at = "", None
    lines = []
    last = len(embedded) - 1
    for index, sig in enumerate(embedded):
        name = sig.field_name
        try:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(sig, context)
        except Exception as exc:  # a malformed signature value: report it, go on with the others
            intact = trusted = unmodified = False
            lines.append(f"{name}: cannot validate: {type(exc).__name__}: {exc}")
            continue
        intact = intact and status.intact and status.valid
        trusted = trusted and status.trusted
        level = status.modification_level
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            sig_unmodified = True
        elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None:
            # after the last signature only LTA data (DSS, document time stamps) may follow;
            # earlier signatures may also be followed by further signing / form filling
            allowed = ModificationLevel.LTA_UPDATES if index == last else ModificationLevel.FORM_FILLING
            sig_unmodified = bool(status.docmdp_ok) and level <= allowed
        else:
            sig_unmodified = False
        unmodified = unmodified and sig_unmodified
        whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE  # the last one counts
        signer = _common_name(status.signing_cert)
        signed_at = status.signer_reported_dt
        when = signed_at.isoformat() if signed_at else "no signing time"
        lines.append(f"{name}: {signer} ({when}): {status.summary()}")
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
    )


def _common_name(cert) -> str:
    """The certificate subject's common name, or its whole subject when it has none."""
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # an odd subject encoding should not sink the report
        return "?"
