"""Checking uploaded files: size limits, a virus scan, type by content (not by name), archive
limits for Word/Excel, no active content in PDFs, safe names, SHA-256.

Every path that stores an upload (the draft form, the API, supplements, the procedures'
blank forms in the admin) goes through `check_upload`; nothing it refuses is stored.
"""

import hashlib
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import ScanStatus
from .pdf_actions import pdf_active_content
from .scanner import ScannerUnavailable, scan_stream, scanner_configured

logger = logging.getLogger("portal.uploads")

# Allowed types: what a file starts with decides, never its name.
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


class FileRefused(ValidationError):
    """An upload refused for what it is (size, type, virus, archive, PDF actions): nothing stored."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    scan_status: str = ScanStatus.UNSCANNED


def sniff_type(head: bytes, upload) -> str | None:
    """The content type the bytes show, or None when it is not an allowed type."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04") and getattr(settings, "ATTACHMENT_ALLOW_OFFICE", True):
        try:
            upload.seek(0)
            names = zipfile.ZipFile(upload).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def safe_name(original: str, content_type: str) -> str:
    """A file name with no path, no control or shell characters, and the right extension."""
    base = PurePosixPath((original or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = _UNSAFE.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip(" ._") or "tep"
    return f"{stem[:100]}{EXTENSIONS[content_type]}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(upload, *, already_attached: int = 0) -> CheckedFile:
    """Check one uploaded file; raise ValidationError naming the file and the rule."""
    display = PurePosixPath((upload.name or "").replace("\\", "/")).name or "?"
    limit = settings.ATTACHMENT_MAX_FILE_SIZE
    if upload.size > limit:
        raise FileRefused(
            _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {"name": display, "size": _megabytes(upload.size), "limit": _megabytes(limit)}
        )
    total_limit = settings.ATTACHMENT_MAX_DOSSIER_SIZE
    if already_attached + upload.size > total_limit:
        raise FileRefused(
            _("“%(name)s” would bring the dossier over %(limit)s in all; remove a file or make it smaller.")
            % {"name": display, "limit": _megabytes(total_limit)}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):  # any zip: a bomb is refused before clamd spends time inflating it
        _check_archive(upload, display=display)
    # Scanned before the type check, so malware is logged as such whatever it pretends to be.
    scan_status = _scan(upload, display=display, sha256=sha256)
    content_type = sniff_type(head, upload)
    if content_type is None:
        raise FileRefused(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG file (Word and Excel files are accepted too). "
                "Its content was checked, not its name."
            )
            % {"name": display}
        )
    if content_type == PDF:
        _check_pdf(upload, display=display)
    upload.seek(0)
    return CheckedFile(
        name=safe_name(upload.name, content_type),
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        scan_status=scan_status,
    )


def _scan(upload, *, display: str, sha256: str) -> str:
    """Scan at upload when clamd answers in time; infected: refused and logged, never stored."""
    if not scanner_configured():
        return ScanStatus.UNSCANNED
    upload.seek(0)
    try:
        result = scan_stream(upload, timeout=settings.CLAMD_TIMEOUT)
    except ScannerUnavailable as error:
        logger.warning("virus scanner unavailable at upload (%s): %s sha256=%s left pending", error, display, sha256)
        return ScanStatus.PENDING
    finally:
        upload.seek(0)
    if result.infected:
        logger.warning(
            "upload refused: virus %s in %s (%s bytes, sha256=%s)", result.signature, display, upload.size, sha256
        )
        raise FileRefused(
            _(
                "“%(name)s” contains a virus (%(virus)s) and was not accepted. Check your computer with an "
                "antivirus program, then scan or save the document again."
            )
            % {"name": display, "virus": result.signature},
            code="infected",
        )
    return ScanStatus.CLEAN


def _check_archive(upload, *, display: str) -> None:
    """A zip (Word/Excel files are) within the member count and inflated size limits (no zip bomb).

    The sizes declared in the archive are enough: Python's zipfile never inflates a member past
    its declared size (it stops and fails the CRC), so a lying header cannot smuggle more.
    """
    max_members = settings.ATTACHMENT_ARCHIVE_MAX_MEMBERS
    max_total = settings.ATTACHMENT_ARCHIVE_MAX_UNCOMPRESSED
    try:
        upload.seek(0)
        members = zipfile.ZipFile(upload).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        members = None
    finally:
        upload.seek(0)
    if members is None or any(m.flag_bits & 0x1 for m in members):  # unreadable or encrypted parts
        raise FileRefused(
            _("“%(name)s” is damaged or password-protected; save it again without a password.") % {"name": display}
        )
    if len(members) > max_members:
        raise FileRefused(
            _("“%(name)s” is made of %(count)s parts; at most %(limit)s are accepted. Save it again or as PDF.")
            % {"name": display, "count": len(members), "limit": max_members}
        )
    inflated = sum(m.file_size for m in members)
    if inflated > max_total:
        raise FileRefused(
            _("“%(name)s” unpacks to %(size)s; at most %(limit)s are accepted. Save it as PDF instead.")
            % {"name": display, "size": _megabytes(inflated), "limit": _megabytes(max_total)}
        )


def _check_pdf(upload, *, display: str) -> None:
    found = pdf_active_content(upload)
    upload.seek(0)
    if found:
        logger.warning("upload refused: PDF %s has active content %s", display, found)
        raise FileRefused(
            _(
                "“%(name)s” contains JavaScript or a command that starts a program (%(what)s), which is not "
                "accepted in a PDF. Print it to PDF again, or scan the paper document."
            )
            % {"name": display, "what": found},
            code="active_content",
        )
