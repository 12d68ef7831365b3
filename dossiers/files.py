"""Checking uploaded files: type by content (not by name), size limits, safe names, SHA-256."""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Allowed types: what a file starts with decides, never its name.
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


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
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {"name": display, "size": _megabytes(upload.size), "limit": _megabytes(limit)}
        )
    total_limit = settings.ATTACHMENT_MAX_DOSSIER_SIZE
    if already_attached + upload.size > total_limit:
        raise ValidationError(
            _("“%(name)s” would bring the dossier over %(limit)s in all; remove a file or make it smaller.")
            % {"name": display, "limit": _megabytes(total_limit)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_type(head, upload)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file (Word and Excel files are accepted too). "
              "Its content was checked, not its name.") % {"name": display}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=safe_name(upload.name, content_type), content_type=content_type,
                       size=upload.size, sha256=digest.hexdigest())
