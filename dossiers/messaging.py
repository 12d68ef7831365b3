"""Messages on a dossier: the thread between the applicant and the officers who can read it.

Every message is written by `dossier_message_send` with its audit event (EventKind.MESSAGE) in
the same transaction; the other side hears of it after commit through the outbox
(dossiers/fanout.py). Attachments go through the same checks and virus scan as every upload
(portal/uploads.py, dossiers/scanning.py) and are the dossier's Attachments, so they are kept
(and quarantined) with it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.memberships import memberships

from . import tasks
from .constants import DossierStatus, EventKind, ScanStatus
from .files import FileRefused, check_upload
from .models import Attachment, Dossier, DossierMessage
from .selectors import officer_scope
from .services import attached_bytes, record_event

MAX_LENGTH = 5000
MAX_FILES = 3


class MessageFileRefused(ValidationError):
    """A message's file refused for what it is (size, type, virus...): nothing stored."""


def message_side(user, dossier: Dossier) -> str | None:
    """ "applicant", "staff" or None: who this user is in the dossier's thread (None: not theirs)."""
    if dossier.applicant_id == user.pk:
        return "applicant"
    if memberships(user) and officer_scope(user).filter(pk=dossier.pk).exists():
        return "staff"
    return None


def dossier_messages(dossier: Dossier):
    return dossier.messages.select_related("author").prefetch_related("attachments")


def _officer_agency(user, dossier: Dossier):
    """The agency the officer writes for: the first of the dossier's agencies they belong to."""
    held = {agency for agency, _role in memberships(user)}
    for field in ("competent_agency", "consulted_agency", "receiving_agency"):
        if getattr(dossier, f"{field}_id") in held:
            return getattr(dossier, field)
    return None


@transaction.atomic
def dossier_message_send(*, dossier: Dossier, author, body: str, uploads=()) -> DossierMessage:
    """Write one message (and its files) on a dossier's thread; ValidationError and nothing
    stored when the text is empty or too long or a file is refused."""
    side = message_side(author, dossier)
    if side is None:
        raise PermissionDenied
    if dossier.status == DossierStatus.DRAFT or not dossier.code:
        raise ValidationError({"body": [_("Messages can be sent once the dossier is submitted.")]})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {"body": [_("A message may be at most %(limit)s characters long.") % {"limit": f"{MAX_LENGTH:,}"}]}
        )
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": [_("Attach at most %(count)s files to a message.") % {"count": MAX_FILES}]})
    checked = []
    total = attached_bytes(dossier)
    for upload in uploads:  # every file checked before anything is stored
        try:
            result = check_upload(upload, already_attached=total)
        except FileRefused as refused:
            raise MessageFileRefused({"files": refused.messages}) from None
        total += result.size
        checked.append((upload, result))
    message = DossierMessage.objects.create(
        dossier=dossier, author=author, from_applicant=side == "applicant", body=body
    )
    names = []
    for upload, result in checked:
        attachment = Attachment(
            dossier=dossier,
            message=message,
            name=result.name,
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
            scan_status=result.scan_status,
        )
        attachment.file.save(result.name, upload, save=False)
        attachment.save()
        names.append(result.name)
        if attachment.scan_status == ScanStatus.PENDING:  # clamd was slow or down: the worker scans it
            transaction.on_commit(lambda pk=attachment.pk: tasks.scan_file.delay(pk))
    record_event(
        dossier,
        kind=EventKind.MESSAGE,
        actor=author,
        from_status=dossier.status,  # no status change: the national portal does not hear of it
        comment=body,
        public=True,
        data={"message": str(message.public_id), "from": side, "files": names},
        agency=_officer_agency(author, dossier) if side == "staff" else None,
    )
    return message


def dossier_messages_read(*, dossier: Dossier, user=None, side: str | None = None) -> int:
    """Mark the other side's messages read for this reader (`side` when the caller already knows
    it); how many were unread."""
    side = side or (message_side(user, dossier) if user is not None else None)
    if side is None:
        return 0
    return dossier.messages.filter(from_applicant=side == "staff", read_at__isnull=True).update(read_at=timezone.now())


def dossier_thread_open(*, dossier: Dossier, side: str) -> list[DossierMessage]:
    """The thread as its page shows it (one query, and one for attachments when there are
    messages); the other side's unread messages are marked read, shown unread this once."""
    thread = list(dossier_messages(dossier))
    if any(m.read_at is None and m.from_applicant == (side == "staff") for m in thread):
        dossier_messages_read(dossier=dossier, side=side)
    return thread
