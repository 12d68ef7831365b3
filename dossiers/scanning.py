"""Virus scans that could not finish at upload: the worker's scan and the quarantine.

An upload clamd did not answer for in time is stored as PENDING (listed, openable by nobody);
`attachment_scan` (Celery, retried, and the beat sweep for whatever is left) scans it later.
Attachments and store entries that share the stored file share its status.
"""

import logging

from django.conf import settings
from django.db import transaction

from portal.scanner import scan_stream, scanner_configured

from .constants import EventKind, ScanStatus
from .models import Attachment, StoredDocument

logger = logging.getLogger("dossiers.scanning")


def _set_status(file_name: str, status: str) -> None:
    Attachment.objects.filter(file=file_name).update(scan_status=status)
    StoredDocument.objects.filter(file=file_name).update(scan_status=status)


def attachments_to_scan():
    """Pending files; and with a scanner configured, those stored while there was none."""
    wanted = [ScanStatus.PENDING, ScanStatus.UNSCANNED] if scanner_configured() else [ScanStatus.PENDING]
    return Attachment.objects.filter(scan_status__in=wanted).order_by("uploaded_at", "pk")


def attachment_scan(*, attachment_id: int) -> str | None:
    """Scan one stored file and record the outcome; nothing to do when it is already known.

    Raises ScannerUnavailable when clamd does not answer, for the task to retry.
    """
    attachment = Attachment.objects.select_related("dossier").filter(pk=attachment_id).first()
    if attachment is None or attachment.scan_status == ScanStatus.CLEAN:
        return None
    if not scanner_configured():
        if attachment.scan_status == ScanStatus.PENDING:
            _set_status(attachment.file.name, ScanStatus.UNSCANNED)  # the scanner was removed since
        return ScanStatus.UNSCANNED
    with attachment.file.open("rb") as stream:
        result = scan_stream(stream, timeout=settings.CLAMD_WORKER_TIMEOUT)
    if result.infected:
        attachment_quarantine(attachment=attachment, signature=result.signature)
        return "infected"
    _set_status(attachment.file.name, ScanStatus.CLEAN)
    return ScanStatus.CLEAN


@transaction.atomic
def attachment_quarantine(*, attachment: Attachment, signature: str) -> None:
    """A virus found after upload: delete the file everywhere it is used, tell the applicant, audit."""
    from .services import record_event

    file_name, name = attachment.file.name, attachment.name
    users = Attachment.objects.select_related("dossier").filter(file=file_name)
    for dossier in {a.dossier_id: a.dossier for a in users}.values():
        record_event(
            dossier,
            kind=EventKind.FILE_QUARANTINED,
            actor=None,
            public=True,
            comment=name,
            data={"file": name, "virus": signature, "sha256": attachment.sha256},
        )
    users.delete()
    StoredDocument.objects.filter(file=file_name).delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(file_name))
    logger.warning(
        "quarantined %s (%s, sha256=%s): virus %s; file deleted", name, file_name, attachment.sha256, signature
    )
