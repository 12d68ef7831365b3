"""The archive package of an ended dossier as bytes: a BagIt bag (RFC 8493, the `bagit` package),
serialized as one zip whose bytes depend only on the dossier.

Deterministic on purpose, so that a build killed half-way and done again gives the same SHA-256:
every date in it is the dossier's (Bagging-Date is the day it ended, Form 05 is "printed" at the
end), JSON is written with sorted keys, zip members are in sorted order with a fixed timestamp and
mode, and the seal is a CMS signature without signed attributes (no signing time) by an RSA key
with PKCS#1 v1.5, which is deterministic. A seal that cannot be (an RFC 3161 timestamp carries the
time it was made) goes in `_seal` too: its tag files are then the only bytes that differ between two
builds, and the package's hash is still checked against the row of the build that was kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import bagit
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from dossiers.constants import DossierStatus, EventKind
from dossiers.documents import LIVE_KINDS, dossier_document, form_context, form_rows, render_form
from dossiers.models import Dossier, DossierDocument
from payments.models import Receipt
from portal.constants import ScanStatus
from portal.pdf import render_to_pdf
from portal.signing import (
    TimestampInvalid,
    _configured_paths,
    archive_timestamp_pdf,
    timestamp_token,
    verify_timestamp_token,
)
from postal.models import Shipment
from procedures.catalogue_io import version_content

K = DossierDocument.Kind
# The ways a dossier ends that are archived, and the events that take it there.
ARCHIVED_STATES = (DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN)
ENDING_EVENTS = frozenset(
    {EventKind.RESULT_RETURNED, EventKind.REFUSED, EventKind.STOPPED, EventKind.WITHDRAWAL_CONFIRMED}
)
# The stored forms each event issues (as dossiers.fanout renders them), fetched or rendered once.
ISSUED_BY = {
    EventKind.RECEIVED: K.FORM01,
    EventKind.RECEPTION_REFUSED: K.FORM03,
    EventKind.REFUSED: K.FORM03,
    EventKind.EXTENDED: K.FORM04,
    EventKind.RESULT_ISSUED: K.RESULT,
}
TAGMANIFEST = "tagmanifest-sha256.txt"
SIGNATURE = "tagmanifest-sha256.txt.p7s"
TIMESTAMP = "tagmanifest-sha256.txt.tsr"  # RFC 3161 token (DER) over the tag manifest
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's first day: members carry no build time
SOFTWARE = f"Mot Cua archive (bagit.py {bagit.VERSION})"


class PackageNotReady(Exception):
    """A file of the dossier is still being scanned: try again later."""


@dataclass(frozen=True)
class Rendered:
    data: bytes
    sha256: str
    payload_oxum: str
    retention_until: dt.date | None
    root: str  # the bag's directory inside the zip


def _json(value) -> bytes:
    return (json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _safe(name: str) -> str:
    """A file name that is one path segment in any file system (letters with diacritics kept)."""
    cleaned = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "file"
    return cleaned[:120]


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def ended_at(dossier: Dossier, events) -> dt.datetime:
    """When the dossier reached the state it is archived in: the result's return, else the end
    of processing (refused, stopped, withdrawn), else its last ending event."""
    if dossier.status == DossierStatus.RETURNED and dossier.returned_at:
        return dossier.returned_at
    if dossier.finished_at:
        return dossier.finished_at
    for event in reversed(events):
        if event.kind in ENDING_EVENTS or event.to_status in ARCHIVED_STATES:
            return event.at
    return dossier.updated_at


def retention_until(dossier: Dossier, ended: dt.datetime) -> dt.date | None:
    """The day after which the package may be destroyed; None: kept permanently (the procedure
    version's retention, or RETENTION_DEFAULT_YEARS: procedures.ProcedureVersion)."""
    years = dossier.procedure_version.effective_retention_years
    if years is None:
        return None
    day = timezone.localtime(ended).date()
    try:
        return day.replace(year=day.year + int(years))
    except ValueError:  # 29 February
        return day.replace(year=day.year + int(years), day=28)


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.full_name} if user is not None else None


def _agency(agency) -> dict | None:
    return {"code": agency.code, "name": agency.name} if agency is not None else None


def payload(dossier: Dossier) -> tuple[dict[str, bytes], dict, dt.date | None]:
    """The bag's payload (path under data/ → bytes), its bag-info.txt and the retention date."""
    dossier = Dossier.objects.select_related(
        "procedure_version__procedure",
        "procedure_version__field",
        "procedure_version__agency",
        "receiving_agency",
        "competent_agency",
        "assigned_to",
    ).get(pk=dossier.pk)
    version = dossier.procedure_version
    events = list(dossier.events.select_related("actor", "agency").order_by("at", "pk"))
    ended = ended_at(dossier, events)
    keep_until = retention_until(dossier, ended)
    files: dict[str, bytes] = {}

    pending = dossier.attachments.filter(scan_status=ScanStatus.PENDING).count()
    pending += dossier.officer_files.filter(scan_status=ScanStatus.PENDING).count()
    if pending:
        raise PackageNotReady(f"dossier {dossier.code}: {pending} file(s) still being scanned")

    attachments = list(dossier.attachments.select_related("requirement").order_by("uploaded_at", "pk"))
    listed = []
    by_message: dict[int, list] = {}
    for number, attachment in enumerate([a for a in attachments if a.message_id is None], start=1):
        path = f"attachments/{number:02d}-{_safe(attachment.name)}"
        files[path] = _read(attachment.file)
        listed.append(
            {
                "path": f"data/{path}",
                "name": attachment.name,
                "requirement": attachment.requirement.name if attachment.requirement else None,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "supplement_round": attachment.supplement_round,
                "uploaded_at": _iso(attachment.uploaded_at),
                "scan_status": attachment.scan_status,
            }
        )
    for attachment in attachments:
        if attachment.message_id is not None:
            by_message.setdefault(attachment.message_id, []).append(attachment)

    shipment = Shipment.objects.filter(dossier=dossier).first()
    application = {
        "code": dossier.code,
        "public_id": str(dossier.public_id),
        "status": dossier.status,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
        "cross_boundary": dossier.cross_boundary,
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "account": dossier.applicant_id,
        },
        "procedure": {"code": version.procedure.code, "version": version.number, "name": version.name},
        "receiving_agency": _agency(dossier.receiving_agency),
        "competent_agency": _agency(dossier.competent_agency),
        "form_data": dossier.form_data,
        "fee_due": dossier.fee_due,
        "fee_quantities": dossier.fee_quantities,
        "dates": {
            "submitted": _iso(dossier.submitted_at),
            "received": _iso(dossier.received_at),
            "counting_from": _iso(dossier.counting_from),
            "due": _iso(dossier.due_at),
            "original_due": _iso(dossier.original_due_at),
            "finished": _iso(dossier.finished_at),
            "returned": _iso(dossier.returned_at),
            "ended": _iso(ended),
        },
        "timeliness": dossier.timeliness,
        "collected_by": dossier.collected_by,
        "withdrawal_reason": dossier.withdrawal_reason,
        "attachments": listed,
        "shipment": {"tracking_code": shipment.tracking_code, "status": shipment.status} if shipment else None,
        "retention_until": keep_until.isoformat() if keep_until else None,
    }
    files["application.json"] = _json(application)

    local = timezone.localtime
    with translation.override("vi"):  # the legal forms are Vietnamese, whoever builds them
        files["application.pdf"] = render_to_pdf(
            "archive/application.html",
            {
                "dossier": dossier,
                "version": version,
                "form_rows": form_rows(dossier),
                "attachments": listed,
                "submitted_at": local(dossier.submitted_at) if dossier.submitted_at else None,
                "received_at": local(dossier.received_at) if dossier.received_at else None,
                "due_at": local(dossier.due_at) if dossier.due_at else None,
                "status": dossier.get_status_display(),
            },
        )
        files.update(_documents(dossier, events, ended))

    for receipt in Receipt.objects.filter(payment__dossier=dossier).select_related("payment").order_by("pk"):
        name = f"{_safe(receipt.number)}.pdf"
        files[f"receipts/{name}"] = _archival_copy(dossier, name, _read(receipt.file))

    messages = []
    for number, message in enumerate(dossier.messages.select_related("author").order_by("created_at", "pk"), start=1):
        paths = []
        for index, attachment in enumerate(by_message.get(message.pk, []), start=1):
            path = f"messages/{number:03d}/{index:02d}-{_safe(attachment.name)}"
            files[path] = _read(attachment.file)
            paths.append({"path": f"data/{path}", "name": attachment.name, "sha256": attachment.sha256})
        messages.append(
            {
                "number": number,
                "from_applicant": message.from_applicant,
                "author": _person(message.author),
                "body": message.body,
                "sent": _iso(message.created_at),
                "read": _iso(message.read_at),
                "attachments": paths,
            }
        )
    files["messages.json"] = _json(messages)

    officer_files = []
    for number, officer_file in enumerate(dossier.officer_files.select_related("uploaded_by", "agency"), start=1):
        path = f"officer-files/{number:02d}-{_safe(officer_file.name)}"
        files[path] = _read(officer_file.file)
        officer_files.append(
            {
                "path": f"data/{path}",
                "kind": officer_file.kind,
                "name": officer_file.name,
                "sha256": officer_file.sha256,
                "by": _person(officer_file.uploaded_by),
                "agency": _agency(officer_file.agency),
                "uploaded_at": _iso(officer_file.uploaded_at),
            }
        )
    if officer_files:
        files["officer-files.json"] = _json(officer_files)

    files["events.json"] = _json(
        [
            {
                "id": event.pk,
                "at": _iso(event.at),
                "kind": event.kind,
                "actor": _person(event.actor),
                "role": event.role,
                "agency": _agency(event.agency),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "comment": event.comment,
                "public": event.public,
                "data": event.data,
            }
            for event in events
        ]
    )
    files["procedure-version.json"] = _json(
        {
            "procedure": version.procedure.code,
            "number": version.number,
            "status": version.status,
            "published_at": _iso(version.published_at),
            "retention_years": version.effective_retention_years,
            "retention_permanent": version.retention_permanent,
            **version_content(version),
        }
    )

    info = {
        "Source-Organization": settings.ARCHIVE_SOURCE_ORGANIZATION,
        "External-Identifier": dossier.code,
        "External-Description": f"Hồ sơ {dossier.code}: {version.name}",
        "Internal-Sender-Identifier": str(dossier.public_id),
        "Receiving-Agency": f"{dossier.receiving_agency.code} {dossier.receiving_agency.name}",
        "Competent-Agency": f"{dossier.competent_agency.code} {dossier.competent_agency.name}",
        "Procedure": f"{version.procedure.code} v{version.number}",
        "Dossier-Status": dossier.status,
        "Submitted-Date": _iso(dossier.submitted_at) or "",
        "Received-Date": _iso(dossier.received_at) or "",
        "Due-Date": _iso(dossier.due_at) or "",
        "Ended-Date": _iso(ended),
        "Bagging-Date": local(ended).date().isoformat(),
        "Retention-Until": keep_until.isoformat() if keep_until else "permanent",
        "Bag-Software-Agent": SOFTWARE,
    }
    return files, info, keep_until


def _documents(dossier: Dossier, events, ended: dt.datetime) -> dict[str, bytes]:
    """Every form issued (01-05) and the signed result. Stored ones as stored (rendered and stored
    first when the worker that renders them has not yet); Forms 02 and 05, which dossiers renders
    afresh at each download, rendered here as of the day the dossier ended."""
    files = {}
    base_url = settings.PORTAL_BASE_URL
    kinds = {ISSUED_BY[event.kind] for event in events if event.kind in ISSUED_BY}
    kinds |= set(DossierDocument.objects.filter(dossier=dossier).values_list("kind", flat=True))
    for kind in sorted(kinds - LIVE_KINDS):
        document = dossier_document(dossier, kind, base_url=base_url)
        data = _read(document.file)
        files[f"documents/{kind}.pdf"] = _archival_copy(dossier, f"{kind}.pdf", data) if kind == K.RESULT else data
    live = [K.FORM05]
    if dossier.supplement_requests.exists():
        live.append(K.FORM02)
    for kind in sorted(live):
        context = {**form_context(dossier, base_url), "printed_at": timezone.localtime(ended)}
        files[f"documents/{kind}.pdf"] = render_form(kind, dossier, context)
    return files


def archival_copies_prefix(dossier: Dossier) -> str:
    return f"lta/{dossier.public_id}/"


def _archival_copy(dossier: Dossier, name: str, pdf: bytes) -> bytes:
    """A signed PDF as the archive keeps it: PAdES B-LTA, a document time stamp over its B-LT
    signature and validation data. Made once per PDF and kept in archive storage (keyed by the
    PDF's hash), so a rebuild after a crash reuses it and the package keeps its bytes."""
    storage = storages["archive"]
    key = f"{archival_copies_prefix(dossier)}{hashlib.sha256(pdf).hexdigest()[:16]}-{name}"
    if storage.exists(key):
        with storage.open(key, "rb") as handle:
            return handle.read()
    stamped = archive_timestamp_pdf(pdf)
    storage.save(key, ContentFile(stamped))
    return stamped


def _timestamp(tagmanifest: bytes, package) -> bytes:
    """The TSA's token over the tag manifest: the one kept on the package's row when it covers
    this manifest (a rebuild after a crash), else a new one, kept at once (its own commit)."""
    digest = hashlib.sha256(tagmanifest).hexdigest()
    if package is not None and package.timestamp_manifest_sha256 == digest and package.timestamp_token:
        return bytes(package.timestamp_token)
    token = timestamp_token(tagmanifest)
    if package is not None:
        type(package).objects.filter(pk=package.pk).update(timestamp_token=token, timestamp_manifest_sha256=digest)
        package.timestamp_token, package.timestamp_manifest_sha256 = token, digest
    return token


def _seal(tagmanifest: bytes, package=None) -> dict[str, bytes]:
    """The tag files that seal the bag: a detached CMS signature (DER) of the tag manifest by the
    province's signing identity (RESULT_SIGNING_CERT / _KEY / _CA), and an RFC 3161 time stamp of
    it from TSA_URL — the archive time stamp over every file's hash, which dates the package and
    keeps it provable after the signer's certificate expires. The signature has no signed
    attributes (no signing time): the same manifest gives the same bytes; the token is reused."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    cert_path, key_path, _ca_path = _configured_paths()
    passphrase = (getattr(settings, "RESULT_SIGNING_KEY_PASSPHRASE", "") or "").encode() or None
    cert = _load_cert(cert_path.read_bytes(), x509)
    key_bytes = key_path.read_bytes()
    if b"-----BEGIN" in key_bytes:
        key = serialization.load_pem_private_key(key_bytes, password=passphrase)
    else:
        key = serialization.load_der_private_key(key_bytes, password=passphrase)
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(tagmanifest)
        .add_signer(cert, key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.NoAttributes, pkcs7.PKCS7Options.Binary],
        )
    )
    return {SIGNATURE: signature, TIMESTAMP: _timestamp(tagmanifest, package)}


def _load_cert(data: bytes, x509):
    return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)


def seal_problems(tagmanifest: bytes, tag_files: dict[str, bytes]) -> list[str]:
    """What is wrong with the seal of a tag manifest (empty: its signature verifies, by a
    certificate the configured CA issued)."""
    from asn1crypto import cms
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = tag_files.get(SIGNATURE)
    if signature is None:
        return [f"{SIGNATURE}: missing"]
    try:
        content = cms.ContentInfo.load(signature)
        signed = content["content"]
        signer = signed["signer_infos"][0]
        serial = signer["sid"].chosen["serial_number"].native
        certificates = [_load_cert(c.chosen.dump(), x509) for c in signed["certificates"]]
        cert = next(c for c in certificates if c.serial_number == serial)
        value = signer["signature"].native
        if signer["signed_attrs"].native:
            # Signed attributes: the signature covers them, and they carry the content's digest.
            attributes = {a["type"].native: a["values"][0].native for a in signer["signed_attrs"]}
            if attributes.get("message_digest") != hashlib.sha256(tagmanifest).digest():
                return [f"{SIGNATURE}: does not match {TAGMANIFEST}"]
            covered = signer["signed_attrs"].untag().dump()
        else:
            covered = tagmanifest
    except (ValueError, KeyError, TypeError, StopIteration, IndexError) as error:
        return [f"{SIGNATURE}: unreadable ({error.__class__.__name__})"]
    try:
        cert.public_key().verify(value, covered, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return [f"{SIGNATURE}: the signature does not match {TAGMANIFEST}"]
    problems = []
    token = tag_files.get(TIMESTAMP)
    if token is None:
        problems.append(f"{TIMESTAMP}: missing")
    else:
        try:
            verify_timestamp_token(tagmanifest, token)
        except TimestampInvalid as error:
            problems.append(f"{TIMESTAMP}: {error}")
    try:
        _cert, _key, ca_path = _configured_paths()
        ca = _load_cert(ca_path.read_bytes(), x509)
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature) as error:
        problems.append(f"{SIGNATURE}: signer not issued by the configured CA ({error.__class__.__name__})")
    return problems


def _sorted_tagmanifest(bag_dir: Path) -> bytes:
    """bagit lists the tag files in directory order; sorted, the manifest is the same everywhere."""
    path = bag_dir / TAGMANIFEST
    lines = sorted(
        (line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()),
        key=lambda line: line.split(" ", 1)[-1],
    )
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(data)
    return data


def _zip(bag_dir: Path, root: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(p for p in bag_dir.rglob("*") if p.is_file()):
            member = zipfile.ZipInfo(f"{root}/{path.relative_to(bag_dir).as_posix()}", date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o100644 << 16
            member.create_system = 3  # Unix, whatever the builder's system
            archive.writestr(member, path.read_bytes())
    return buffer.getvalue()


def package_render(dossier: Dossier, package=None) -> Rendered:
    """Build the dossier's bag in a private temporary directory and return it zipped."""
    files, info, keep_until = payload(dossier)
    root = _safe(dossier.code)
    with tempfile.TemporaryDirectory(prefix="archive-") as tmp:
        bag_dir = Path(tmp) / root
        for relative, data in files.items():
            target = bag_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        bag = bagit.make_bag(str(bag_dir), bag_info=info, checksums=["sha256"])
        tagmanifest = _sorted_tagmanifest(bag_dir)
        for name, data in _seal(tagmanifest, package).items():
            (bag_dir / name).write_bytes(data)
        bagit.Bag(str(bag_dir)).validate(fast=False)  # what archive_verify will check, before anyone relies on it
        data = _zip(bag_dir, root)
        oxum = bag.info["Payload-Oxum"]
    return Rendered(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        payload_oxum=oxum,
        retention_until=keep_until,
        root=root,
    )


def package_problems(data: bytes) -> list[str]:
    """Everything wrong with a package's bytes: each file that changed, is missing or was added
    (bagit's full validation, fast=False), a bad bag declaration, a seal that does not verify."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        return ["not a zip file"]
    roots = {name.split("/", 1)[0] for name in names}
    if len(roots) != 1 or any(".." in name.split("/") or name.startswith("/") for name in names):
        return ["not one bag directory"]
    root = roots.pop()
    problems = []
    with tempfile.TemporaryDirectory(prefix="archive-verify-") as tmp:
        for name in names:
            if name.endswith("/"):
                continue
            target = Path(tmp) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
        bag_dir = Path(tmp) / root
        try:
            bag = bagit.Bag(str(bag_dir))
            problems += _bag_problems(bag)
        except bagit.BagError as error:
            problems.append(f"not a valid bag: {error}")
        manifest = bag_dir / TAGMANIFEST
        if manifest.is_file():
            tag_files = {
                name: (bag_dir / name).read_bytes() for name in (SIGNATURE, TIMESTAMP) if (bag_dir / name).is_file()
            }
            problems += seal_problems(manifest.read_bytes(), tag_files)
        else:
            problems.append(f"{TAGMANIFEST}: missing")
    return problems


def _bag_problems(bag) -> list[str]:
    try:
        bag.validate(fast=False)
    except bagit.BagValidationError as error:
        if error.details:
            return [_detail(d) for d in error.details]
        # bagit checks the Payload-Oxum first and stops there: validated again without it, the
        # files at fault are named too.
        problems = [str(error)]
        bag.info.pop("Payload-Oxum", None)
        try:
            bag.validate(fast=False)
        except bagit.BagValidationError as again:
            problems += [_detail(d) for d in again.details] or [str(again)]
        return problems
    return []


def _detail(detail) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.path}: changed (sha256 {detail.found[:12]}…, manifest {detail.expected[:12]}…)"
    if isinstance(detail, bagit.FileMissing):
        return f"{detail.path}: missing"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{detail.path}: not in the manifest"
    return str(detail)
