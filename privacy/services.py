"""Use cases of "Dữ liệu của tôi": the export of everything the portal holds about a person, and
deleting their account (drafts and the personal store at once; dossiers under retention stay)."""

import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from dossiers import services as dossier_services
from dossiers.constants import DossierStatus
from dossiers.exceptions import DossierConflict
from dossiers.models import Dossier, DossierDocument, StoredDocument
from payments.models import Payment, Receipt
from portal.constants import ScanStatus
from portal.models import ApiClient, ConsentRecord, Notification, PhoneVerification
from portal.notification_prefs import DEFAULT_KEY

from . import selectors

log = logging.getLogger("privacy")
# A file still waiting for the virus scanner is opened by nobody: listed, not packed.
_PACKED = (ScanStatus.CLEAN, ScanStatus.UNSCANNED)
_APPLICANT_DOCUMENTS = [k for k in DossierDocument.Kind.values if k != DossierDocument.Kind.FORM05]


def _zip_name(*parts: str) -> str:
    return "/".join(os.path.basename(str(part)).replace("\\", "_") or "_" for part in parts)


def _pack(archive: zipfile.ZipFile, stored_file, name: str) -> str | None:
    """Copy one stored file into the archive, in chunks; None if it is gone from storage."""
    try:
        source = stored_file.open("rb")
    except (FileNotFoundError, OSError):
        log.warning("export: %s missing from storage", stored_file.name)
        return None
    with source, archive.open(name, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    return name


def _account(user) -> dict:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "phone_verified": user.phone_verified,
        "personal_id": user.personal_id,
        "personal_id_verified": user.personal_id_verified,
        "date_of_birth": user.date_of_birth,
        "address": user.address,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "notification_preferences": user.notification_preferences,
    }


def _dossier(archive, dossier: Dossier, files: list) -> dict:
    folder = dossier.code or str(dossier.public_id)
    attachments = []
    for item in dossier.attachments.all():
        path = None
        if item.scan_status in _PACKED:
            path = _pack(archive, item.file, _zip_name("files", "dossiers", folder, f"{item.public_id}-{item.name}"))
        attachments.append(
            {
                "name": item.name,
                "document": item.requirement.name if item.requirement_id else "",
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
                "uploaded_at": item.uploaded_at,
                "scan_status": item.scan_status,
                "with_message": item.message_id is not None,
                "file": path,
            }
        )
        files.append(path)
    documents = []
    for document in dossier.documents.filter(kind__in=_APPLICANT_DOCUMENTS):
        path = _pack(archive, document.file, _zip_name("files", "dossiers", folder, f"{document.kind}.pdf"))
        documents.append(
            {"kind": document.kind, "created_at": document.created_at, "sha256": document.sha256, "file": path}
        )
        files.append(path)
    payments = []
    for payment in Payment.objects.filter(dossier=dossier):
        receipt = Receipt.objects.filter(payment=payment).first()
        path = None
        if receipt is not None:
            path = _pack(archive, receipt.file, _zip_name("files", "dossiers", folder, f"receipt-{receipt.number}.pdf"))
            files.append(path)
        payments.append(
            {
                "reference": payment.reference,
                "method": payment.method,
                "amount": payment.amount,
                "status": payment.status,
                "created_at": payment.created_at,
                "paid_at": payment.paid_at,
                "refunded_amount": payment.refunded_amount,
                "receipt": path,
            }
        )
    return {
        "code": dossier.code,
        "public_id": dossier.public_id,
        "status": dossier.status,
        "procedure": dossier.procedure_version.name,
        "procedure_code": dossier.procedure_version.procedure.code,
        "channel": dossier.channel,
        "applicant": {
            "name": dossier.applicant_name,
            "personal_id": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
        "form_data": dossier.form_data,
        "created_at": dossier.created_at,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "retained_until": selectors.retention_until(dossier) if dossier.status != DossierStatus.DRAFT else None,
        "events": [
            {"at": e.at, "kind": e.kind, "from": e.from_status, "to": e.to_status, "comment": e.comment}
            for e in dossier.events.filter(public=True)
        ],
        "messages": [
            {"at": m.created_at, "from_applicant": m.from_applicant, "body": m.body} for m in dossier.messages.all()
        ],
        "attachments": attachments,
        "documents": documents,
        "payments": payments,
    }


def personal_data_export(*, user):
    """Everything the portal holds about this person, as a zip in a temporary file (data.json and
    files/): their account, consents, notification preferences and messages, every dossier of
    theirs with its form, public events, messages, attachments, issued documents and payments,
    their personal store, appointments and the staff reads of their dossiers. Nobody else's."""
    files: list = []
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        dossiers = [
            _dossier(archive, dossier, files)
            for dossier in Dossier.objects.filter(applicant=user)
            .select_related("procedure_version__procedure")
            .prefetch_related("attachments__requirement")
            .order_by("created_at", "pk")
        ]
        stored = []
        for document in StoredDocument.objects.filter(owner=user).order_by("created_at", "pk"):
            path = None
            if document.scan_status in _PACKED:
                path = _pack(
                    archive, document.file, _zip_name("files", "store", f"{document.public_id}-{document.name}")
                )
            files.append(path)
            stored.append(
                {
                    "name": document.name,
                    "document_type": document.document_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "source": document.source,
                    "created_at": document.created_at,
                    "file": path,
                }
            )
        data = {
            "generated_at": timezone.now(),
            "account": _account(user),
            "consents": [
                {"version": c.version, "accepted_at": c.accepted_at, "channel": c.channel, "ip": c.ip}
                for c in ConsentRecord.objects.filter(user=user)
            ],
            "dossiers": dossiers,
            "stored_documents": stored,
            "appointments": [
                {
                    "code": a.code,
                    "agency": a.agency.name,
                    "procedure": a.procedure.code,
                    "start": a.start,
                    "end": a.end,
                    "status": a.status,
                }
                for a in Appointment.objects.filter(citizen=user).select_related("agency", "procedure")
            ],
            "notifications": [
                {
                    "at": n.created_at,
                    "channel": n.channel,
                    "event": n.event,
                    "subject": n.subject,
                    "dossier": n.dossier_code,
                }
                for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
            ],
            "access_log": [selectors.access_entry(a) for a in selectors.access_log(user).iterator(chunk_size=2000)],
            # The catalogue assistant keeps no link to an account: nothing of it is personal data here.
            "assistant_conversations": [],
        }
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    log.info(
        "personal data export for user=%s: %d dossiers, %d files", user.pk, len(dossiers), len([f for f in files if f])
    )
    handle.seek(0)
    return handle


@dataclass
class AccountDeletion:
    drafts_deleted: int = 0
    stored_deleted: int = 0
    drafts_kept: list[str] = field(default_factory=list)
    retained: list[dict] = field(default_factory=list)


def account_delete(*, user) -> AccountDeletion:
    """Delete a citizen's account: their drafts and personal store go now, with their files; the
    account is closed (no sign-in, sessions and API tokens dead) and its contact data removed (a
    dossier keeps the applicant's details it was filed with). Dossiers under retention stay until
    the day each may be destroyed (selectors.retention_until)."""
    result = AccountDeletion()
    for draft in Dossier.objects.filter(applicant=user, status=DossierStatus.DRAFT):
        try:
            dossier_services.dossier_draft_delete(dossier=draft, actor=user)
            result.drafts_deleted += 1
        except DossierConflict:  # something holds it (a payment): it stays, and is said so
            result.drafts_kept.append(str(draft.public_id))
    result.stored_deleted = dossier_services.stored_documents_purge(owner=user)
    with transaction.atomic():
        for appointment in Appointment.objects.filter(
            citizen=user, status=AppointmentStatus.BOOKED, start__gt=timezone.now()
        ):
            appointment.status = AppointmentStatus.CANCELLED
            appointment.save(update_fields=["status", "updated_at"])
        ApiClient.objects.filter(user=user, revoked_at__isnull=True).update(is_active=False, revoked_at=timezone.now())
        PhoneVerification.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        user.is_active = False
        user.set_unusable_password()  # every session of theirs ends with it (the auth hash changes)
        # An account must keep an address (a check constraint): one that can never receive mail.
        user.email, user.phone, user.personal_id = f"deleted-{user.pk}@deleted.invalid", None, None
        user.address, user.date_of_birth = "", None
        user.phone_verified = user.personal_id_verified = False
        user.notification_preferences = {DEFAULT_KEY: []}
        user.save()
    result.retained = selectors.retained_dossiers(user)
    log.info(
        "account %s deleted: %d drafts, %d stored documents; %d dossiers retained",
        user.pk,
        result.drafts_deleted,
        result.stored_deleted,
        len(result.retained),
    )
    return result
