"""Use cases of dossiers, citizen side first: each opens its own transaction (an officer
transition runs in dossier_act's, on the row it locked), changes state only through the state
machine, and writes the audit event in the same transaction; side effects (emails, PDFs) go
out after commit."""

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.constants import StaffRole
from portal.models import User
from portal.outbox import outbox_write
from portal.signing import verify_pdf
from portal.uploads import EXTENSIONS, PDF, safe_name
from procedures.calendar import WorkingCalendar, due_date
from procedures.constants import VersionStatus
from procedures.models import DocumentRequirement, ProcedureVersion

from . import hooks, tasks
from .codes import next_dossier_code
from .constants import ENDED, WITHDRAWABLE, Channel, Delivery, DocumentSource, DossierStatus, EventKind, ScanStatus
from .deadlines import classify, latest_extension_day, step_due
from .exceptions import DossierConflict
from .files import FileRefused, check_upload
from .forms import ApplicantForm, DeliveryForm, applicant_form_class, application_form_class, form_data_to_json
from .models import (
    Attachment,
    Dossier,
    DossierDocument,
    DossierEvent,
    OfficerFile,
    Rating,
    StoredDocument,
    SupplementRequest,
)
from .permissions import desk_receiving_at

S = DossierStatus
# What citizens do to their drafts and their store: no audit table holds it, the log does.
store_log = logging.getLogger("dossiers.store")
# The store's type for files attached as "other documents": a fixed name, like requirement names.
OTHER_DOCUMENT_TYPE = "Giấy tờ khác"
WITHDRAWABLE_STATES = tuple(WITHDRAWABLE)


class DossierIncomplete(ValidationError):
    """The dossier cannot be submitted yet; `problems` says what is missing, by section."""

    def __init__(self, problems: "DossierProblems"):
        super().__init__(problems.messages())
        self.problems = problems


@dataclass
class DossierProblems:
    applicant: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    delivery: dict = field(default_factory=dict)
    missing_documents: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.applicant or self.form or self.delivery or self.missing_documents)

    def messages(self) -> list[str]:
        found = [
            f"{name}: {' '.join(errors)}"
            for part in (self.applicant, self.form, self.delivery)
            for name, errors in part.items()
        ]
        found += [_("Missing document: %(name)s") % {"name": doc.name} for doc in self.missing_documents]
        return found


def record_event(dossier, *, kind, actor, from_status="", comment="", public=True, data=None, role="", agency=None):
    """Write one audit event and its outbox row, inside the transaction of the change it records:
    notifications, forms and the national sync follow after commit (dossiers/fanout.py)."""
    event = DossierEvent.objects.create(
        dossier=dossier,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=dossier.status,
        comment=comment,
        public=public,
        data=data or {},
        role=role,
        agency=agency,
    )
    if kind not in (EventKind.CREATED, EventKind.RATED):
        outbox_write("dossier.event", {"event_id": event.pk})
    return event


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)


# --- Drafts ---------------------------------------------------------------------------------


@transaction.atomic
def dossier_draft_start(*, applicant, version: ProcedureVersion) -> Dossier:
    """Open the applicant's draft for this procedure: the one in progress, or a new one prefilled
    from the profile (we do not ask for what we know)."""
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("This procedure is not open for submission."))
    draft = Dossier.objects.filter(applicant=applicant, procedure_version=version, status=S.DRAFT).first()
    if draft is not None:
        return draft
    known = _profile_answers(applicant)
    draft = Dossier.objects.create(
        form_data={spec["name"]: known[spec["name"]] for spec in version.form_schema if known.get(spec["name"])},
        procedure_version=version,
        applicant=applicant,
        applicant_name=applicant.full_name,
        applicant_id_number=applicant.personal_id or "",
        applicant_phone=applicant.phone or "",
        applicant_email=applicant.email or "",
        applicant_address=applicant.address,
        receiving_agency=version.agency,
        competent_agency=version.agency,
    )
    record_event(draft, kind=EventKind.CREATED, actor=applicant, public=False)
    return draft


def _profile_answers(user) -> dict:
    """Form fields the profile already answers, by the names procedures' forms use for them."""
    return {
        "full_name": user.full_name,
        "id_number": user.personal_id,
        "personal_id": user.personal_id,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else "",
        "address": user.address,
        "email": user.email,
        "phone": user.phone,
    }


def intake_desk(*, officer, version: ProcedureVersion):
    """The agency at whose one-stop desk this officer may take this procedure in: the procedure's
    own agency, or any desk of theirs for a cross-boundary one (the rule the receive transition
    applies, permissions.py); PermissionDenied with the reason otherwise."""
    desks = officer.memberships.filter(role=StaffRole.RECEPTIONIST).select_related("agency").order_by("agency_id")
    if not desks:
        raise PermissionDenied(_("Only one-stop desk officers take dossiers in at the counter."))
    own = next((m for m in desks if m.agency_id == version.agency_id), None)
    if own is None and not version.cross_boundary:
        raise PermissionDenied(
            _("This procedure is received only at the one-stop desk of %(agency)s.") % {"agency": version.agency.name}
        )
    return (own or desks[0]).agency


@transaction.atomic
def dossier_counter_draft(*, officer, version: ProcedureVersion) -> Dossier:
    """A receptionist files a dossier for a walk-in applicant: a draft of their own desk's."""
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("This procedure is not open for submission."))
    desk = intake_desk(officer=officer, version=version)
    draft = Dossier.objects.create(
        procedure_version=version,
        filed_by=officer,
        channel=Channel.COUNTER,
        delivery=Delivery.COUNTER,
        receiving_agency=desk,
        competent_agency=version.agency,
    )
    record_event(draft, kind=EventKind.CREATED, actor=officer, public=False, role=StaffRole.RECEPTIONIST, agency=desk)
    return draft


@transaction.atomic
def dossier_counter_find_applicant(*, dossier: Dossier, id_number: str) -> User:
    """Fill a counter draft's applicant from the account whose ID number the e-identity verified
    (a number typed at sign-up proves nothing); the account is linked at submission."""
    dossier = _locked(dossier)
    if dossier.status != S.DRAFT or dossier.channel != Channel.COUNTER:
        raise DossierConflict(_("Only a dossier being filed at the counter takes an applicant from an account."))
    person = User.objects.filter(personal_id=id_number, personal_id_verified=True, is_active=True).first()
    if person is None:
        raise ValidationError(
            {"id_number": [_("No account with this verified ID number: type the applicant's details in.")]}
        )
    dossier.applicant_name = person.full_name
    dossier.applicant_id_number = person.personal_id
    dossier.applicant_phone = person.phone or ""
    dossier.applicant_email = person.email or ""
    dossier.applicant_address = person.address or ""
    dossier.save(update_fields=[*ApplicantForm.base_fields, "updated_at"])
    return person


@transaction.atomic
def dossier_draft_update(
    *,
    dossier: Dossier,
    applicant_data: dict,
    form_data: dict,
    delivery: str,
    delivery_address: str,
    fee_quantities: dict | None = None,
) -> Dossier:
    """Keep what the applicant typed, valid or not: a draft loses nothing."""
    dossier = _locked(dossier)
    if dossier.status != S.DRAFT:
        raise DossierConflict(_("This dossier was already submitted."))
    for name in ApplicantForm.base_fields:
        setattr(dossier, name, str(applicant_data.get(name, ""))[:255])
    schema_names = {spec["name"] for spec in dossier.procedure_version.form_schema}
    dossier.form_data = {k: v for k, v in form_data.items() if k in schema_names}
    dossier.delivery = delivery if delivery in dict(DeliveryForm.base_fields["delivery"].choices) else dossier.delivery
    dossier.delivery_address = (delivery_address or "")[:255]
    if fee_quantities is not None:
        unit_fees = [fee for fee in dossier.procedure_version.fees.all() if fee.unit != "dossier"]
        dossier.fee_quantities = {str(fee.pk): fee_quantity(fee_quantities, fee) for fee in unit_fees}
    dossier.save(
        update_fields=[
            *ApplicantForm.base_fields,
            "form_data",
            "delivery",
            "delivery_address",
            "fee_quantities",
            "updated_at",
        ]
    )
    return dossier


def attached_bytes(dossier: Dossier) -> int:
    return dossier.attachments.aggregate(total=Sum("size"))["total"] or 0


def _requirement_of(dossier: Dossier, requirement_id) -> DocumentRequirement | None:
    if requirement_id in (None, "", "other"):
        return None
    try:
        return dossier.procedure_version.documents.get(pk=int(requirement_id))
    except (ValueError, DocumentRequirement.DoesNotExist):
        raise ValidationError(_("That document is not part of this procedure.")) from None


def dossier_attach(*, dossier: Dossier, requirement_id, upload, supplement_round: int = 0) -> Attachment:
    """Check and store one uploaded file for a required document (or as another document)."""
    requirement = _requirement_of(dossier, requirement_id)
    checked = check_upload(upload, already_attached=attached_bytes(dossier))
    attachment = Attachment(
        dossier=dossier,
        requirement=requirement,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        supplement_round=supplement_round,
        scan_status=checked.scan_status,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    if attachment.scan_status == ScanStatus.PENDING:  # clamd was slow or down: the worker scans it
        transaction.on_commit(lambda pk=attachment.pk: tasks.scan_file.delay(pk))
    return attachment


def dossier_attach_stored(*, dossier: Dossier, requirement_id, stored_id) -> Attachment:
    """Satisfy a document with one already in the applicant's store: no new upload."""
    requirement = _requirement_of(dossier, requirement_id)
    stored = StoredDocument.objects.filter(
        owner_id=dossier.applicant_id,
        public_id=stored_id,
        document_type=requirement.name if requirement else OTHER_DOCUMENT_TYPE,
    ).first()
    if stored is None:
        raise ValidationError(_("That stored document was not found."))
    existing = dossier.attachments.filter(reused_from=stored, requirement=requirement).first()
    if existing:
        return existing
    return Attachment.objects.create(
        dossier=dossier,
        requirement=requirement,
        file=stored.file.name,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        reused_from=stored,
        scan_status=stored.scan_status,
    )


def dossier_detach(*, dossier: Dossier, attachment_id) -> None:
    if dossier.status != S.DRAFT:
        raise DossierConflict(_("Files of a submitted dossier cannot be removed."))
    attachment = dossier.attachments.filter(public_id=attachment_id).first()
    if attachment is not None:
        if attachment.reused_from_id is None:
            attachment.file.delete(save=False)
        attachment.delete()


def dossier_problems(dossier: Dossier) -> DossierProblems:
    """Everything that still stops this dossier from being submitted, all at once."""
    problems = DossierProblems()
    applicant = applicant_form_class(dossier)({name: getattr(dossier, name) for name in ApplicantForm.base_fields})
    if not applicant.is_valid():
        problems.applicant = {k: list(v) for k, v in applicant.errors.items()}
    form = application_form_class(dossier.procedure_version.form_schema)(dossier.form_data)
    if not form.is_valid():
        problems.form = {k: list(v) for k, v in form.errors.items()}
    delivery = DeliveryForm({"delivery": dossier.delivery, "delivery_address": dossier.delivery_address})
    if not delivery.is_valid():
        problems.delivery = {k: list(v) for k, v in delivery.errors.items()}
    attached = set(dossier.attachments.values_list("requirement_id", flat=True))
    problems.missing_documents = [
        doc for doc in dossier.procedure_version.documents.all() if doc.required and doc.pk not in attached
    ]
    return problems


MAX_FEE_QUANTITY = 1000


def fee_quantity(quantities: dict, fee) -> int:
    """How many pages or copies a per-unit fee is charged for (1 unless the applicant said)."""
    try:
        return min(max(int(quantities.get(str(fee.pk), 1)), 1), MAX_FEE_QUANTITY)
    except (TypeError, ValueError):
        return 1


def fee_due(version: ProcedureVersion, *, online: bool, quantities: dict | None = None) -> int:
    """The fee owed at submission: tiers and caps applied to the pages or copies asked for."""
    quantities = quantities or {}
    return sum(fee.amount_for(fee_quantity(quantities, fee), online=online) for fee in version.fees.all())


def agency_postal_fee(agency) -> int:
    """What posting a result from this agency's desk costs: its own fee, else POSTAL_FEE_VND."""
    own = getattr(agency, "postal_fee_vnd", None)
    return settings.POSTAL_FEE_VND if own is None else own


def postal_fee(dossier) -> int:
    """The postal fee a dossier whose result goes by post pays with its fees: its desk's."""
    return agency_postal_fee(dossier.receiving_agency) if dossier.delivery == Delivery.POST else 0


def _file_still_used(name: str, *, attachment_ids=(), stored_ids=()) -> bool:
    """Whether a stored file is still referenced by an attachment, a stored document or a paper
    of some dossier (attachments and the store share files: deleting one must not orphan another)."""
    return (
        Attachment.objects.filter(file=name).exclude(pk__in=attachment_ids).exists()
        or StoredDocument.objects.filter(file=name).exclude(pk__in=stored_ids).exists()
        or DossierDocument.objects.filter(file=name).exists()
    )


@transaction.atomic
def dossier_draft_delete(*, dossier: Dossier, actor) -> None:
    """Delete a draft of the actor's own, with its uploads (a file from the store stays there).

    A draft has no code and never left the portal: its private "created" event goes with it,
    and the deletion is logged (there is no audit table for what never became a dossier)."""
    dossier = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
    if dossier is None or dossier.status != S.DRAFT or actor.pk not in (dossier.applicant_id, dossier.filed_by_id):
        raise DossierConflict(_("Only a draft of your own can be deleted."))
    attachments = list(dossier.attachments.all())
    ids = [a.pk for a in attachments]
    names = {a.file.name for a in attachments if a.reused_from_id is None and a.file}
    removed = [name for name in names if not _file_still_used(name, attachment_ids=ids)]
    public_id = dossier.public_id
    try:
        with transaction.atomic():
            DossierEvent.objects.filter(dossier=dossier).delete()  # a queryset delete: only a draft's own
            dossier.attachments.all().delete()
            dossier.delete()
    except ProtectedError:  # something else (a payment?) holds it: keep everything
        raise DossierConflict(_("This draft cannot be deleted.")) from None
    store_log.info("draft %s deleted by user=%s (%d files removed)", public_id, actor.pk, len(removed))

    def delete_files():
        for name in removed:
            Attachment.file.field.storage.delete(name)

    transaction.on_commit(delete_files)  # never before the rows are gone for good


def _stored_of(owner, stored_id) -> StoredDocument:
    try:
        return StoredDocument.objects.select_for_update().get(owner=owner, public_id=stored_id)
    except (StoredDocument.DoesNotExist, ValidationError, ValueError):
        raise StoredDocument.DoesNotExist from None


@transaction.atomic
def stored_document_update(*, owner, stored_id, name: str, document_type: str) -> StoredDocument:
    """Rename a document of the owner's store (the extension stays) or file it under another type
    (then a dossier asking for that type can pick it)."""
    document = _stored_of(owner, stored_id)
    name, document_type = (name or "").strip(), " ".join((document_type or "").split())
    errors = {}
    if not name:
        errors["name"] = [_("Give the file a name.")]
    if not document_type or len(document_type) > 500:
        errors["document_type"] = [_("Say what the document is, in at most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    if document.content_type in EXTENSIONS:
        cleaned = safe_name(name, document.content_type)  # the extension follows the content
    else:
        extension = os.path.splitext(document.name)[1]
        cleaned = safe_name(name, PDF)[: -len(".pdf")] + extension
    if (
        StoredDocument.objects.filter(owner=owner, sha256=document.sha256, document_type=document_type)
        .exclude(pk=document.pk)
        .exists()
    ):
        raise ValidationError({"document_type": [_("This file is already in your store as this document.")]})
    before = (document.name, document.document_type)
    document.name, document.document_type = cleaned, document_type
    document.save(update_fields=["name", "document_type"])
    store_log.info(
        "stored %s changed by user=%s: %r -> %r", document.public_id, owner.pk, before, (cleaned, document_type)
    )
    return document


def stored_document_in_use(document: StoredDocument) -> list[str]:
    """Codes of the owner's dossiers being processed that use this document (it cannot go then)."""
    return list(
        Dossier.objects.filter(
            Q(attachments__reused_from=document) | Q(attachments__file=document.file.name),
            applicant_id=document.owner_id,
        )
        .exclude(status__in=[S.DRAFT, *ENDED])
        .values_list("code", flat=True)
        .distinct()
    )


@transaction.atomic
def stored_document_delete(*, owner, stored_id) -> None:
    """Remove a document from the owner's store; refused while a dossier being processed uses it.
    The file itself stays while any dossier (a finished one too) or another entry still holds it."""
    document = _stored_of(owner, stored_id)
    used_by = stored_document_in_use(document)
    if used_by:
        raise DossierConflict(
            _("This document is used by a dossier being processed (%(codes)s): it can be deleted once that ends.")
            % {"codes": ", ".join(used_by)}
        )
    name = document.file.name
    remove = not _file_still_used(name, stored_ids=[document.pk])
    document.delete()
    store_log.info("stored %s deleted by user=%s (file removed: %s)", document.public_id, owner.pk, remove)
    if remove:
        transaction.on_commit(lambda: StoredDocument.file.field.storage.delete(name))


@transaction.atomic
def stored_documents_purge(*, owner) -> int:
    """Empty the owner's personal store at once (their account is being deleted): every entry goes;
    a file goes with it unless a dossier (kept under retention) or a draft still holds it."""
    documents = list(StoredDocument.objects.select_for_update().filter(owner=owner))
    ids = [d.pk for d in documents]
    names = {d.file.name for d in documents if d.file}
    removed = [name for name in names if not _file_still_used(name, stored_ids=ids)]
    StoredDocument.objects.filter(pk__in=ids).delete()
    store_log.info("store of user=%s emptied: %d entries, %d files removed", owner.pk, len(ids), len(removed))

    def delete_files():
        for name in removed:
            StoredDocument.file.field.storage.delete(name)

    transaction.on_commit(delete_files)
    return len(ids)


# --- Submission -----------------------------------------------------------------------------


@transaction.atomic
def dossier_submit(*, dossier: Dossier, actor) -> Dossier:
    """Submit a complete draft: give it its code and snapshot it. Submitting twice is harmless."""
    dossier = _locked(dossier)
    if dossier.status != S.DRAFT:
        return dossier  # a double click or a resent request: the first one won
    problems = dossier_problems(dossier)
    if problems:
        raise DossierIncomplete(problems)
    form = application_form_class(dossier.procedure_version.form_schema)(dossier.form_data)
    form.is_valid()
    dossier.form_data = form_data_to_json(form.cleaned_data)
    now = timezone.now()
    if dossier.applicant_id is None and dossier.applicant_id_number:
        # Filed at the counter: if the applicant has an account, the dossier appears in it; only an
        # account whose ID number the e-identity verified (anyone may type a number at sign-up).
        dossier.applicant = User.objects.filter(
            personal_id=dossier.applicant_id_number, personal_id_verified=True
        ).first()
    dossier.code = next_dossier_code(agency=dossier.receiving_agency, at=now)
    dossier.fee_due = fee_due(dossier.procedure_version, online=True, quantities=dossier.fee_quantities) + postal_fee(
        dossier
    )
    dossier.submitted_at = now
    dossier.cross_boundary = dossier.procedure_version.cross_boundary
    dossier.submit()
    dossier.save(
        update_fields=[
            "status",
            "form_data",
            "applicant",
            "code",
            "fee_due",
            "submitted_at",
            "cross_boundary",
            "updated_at",
        ]
    )
    record_event(dossier, kind=EventKind.SUBMITTED, actor=actor, from_status=S.DRAFT)
    _keep_in_store(dossier)
    return dossier


def _keep_in_store(dossier: Dossier) -> None:
    """Every file the applicant attached goes into their document store, once per content."""
    if dossier.applicant_id is None:
        return
    for attachment in dossier.attachments.filter(reused_from__isnull=True).select_related("requirement"):
        document_type = attachment.requirement.name if attachment.requirement else OTHER_DOCUMENT_TYPE
        StoredDocument.objects.get_or_create(
            owner_id=dossier.applicant_id,
            sha256=attachment.sha256,
            document_type=document_type,
            defaults={
                "name": attachment.name,
                "file": attachment.file.name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "source": DocumentSource.UPLOAD,
                "source_dossier": dossier,
                "scan_status": attachment.scan_status,
            },
        )


# --- Officer transitions -------------------------------------------------------------------
# Each is the service of one entry of dossiers/transitions.py. dossier_act (dossiers/actions.py)
# calls it inside its transaction, on the row it has locked, once the state machine and the
# entry's rule allow it: the service makes the state change, saves only the fields it changed,
# writes the audit event and returns the dossier as it now is.

STEP_FIELDS = ("step_started_at", "step_due_at")
END_FIELDS = ("finished_at", "timeliness")


def _save(dossier: Dossier, *fields: str) -> None:
    dossier.save(update_fields=["status", "updated_at", *fields])


def _next_step(dossier: Dossier, role: str | None) -> dict:
    """Close the current step and open the next one for `role` (none: processing ended); return
    whether the closed step was on time, for the event."""
    now = timezone.now()
    closed = {
        "step_due_at": dossier.step_due_at.isoformat() if dossier.step_due_at else None,
        "step_timeliness": classify(ended_at=now, due_at=dossier.step_due_at) if dossier.step_due_at else None,
    }
    template = next((s for s in dossier.procedure_version.steps.all() if s.role == role), None) if role else None
    dossier.step_started_at = now if role else None
    dossier.step_due_at = (
        step_due(now, template.working_days, settings.OFFICE_CLOSES_AT)
        if template
        else (dossier.due_at if role else None)
    )
    return closed


def _end(dossier: Dossier) -> None:
    dossier.finished_at = timezone.now()
    dossier.timeliness = classify(
        ended_at=dossier.finished_at, due_at=dossier.due_at, supplement_requests=dossier.supplement_requests.count()
    )


def _hand_on(
    dossier: Dossier,
    to_role: str | None,
    *,
    actor,
    role: str,
    kind: str,
    from_status: str,
    fields: tuple[str, ...] = (),
    comment: str = "",
    data: dict | None = None,
    public: bool = True,
) -> Dossier:
    """Pass the dossier to the next step's role, save it and record the event: most transitions."""
    closed = _next_step(dossier, to_role)
    _save(dossier, *STEP_FIELDS, *fields)
    record_event(
        dossier,
        kind=kind,
        actor=actor,
        from_status=from_status,
        role=role,
        comment=comment,
        public=public,
        data={**closed, **(data or {})},
    )
    return dossier


def checklist_label(requirement: DocumentRequirement) -> str:
    """One line of the reception checklist: the document, how many originals and copies."""
    label = _("%(name)s (originals: %(originals)s, copies: %(copies)s)") % {
        "name": requirement.name,
        "originals": requirement.originals,
        "copies": requirement.copies,
    }
    return label if requirement.required else f"{label} — {_('optional')}"


def reception_checklist(dossier: Dossier, documents) -> list[dict]:
    """The procedure's documents, each ticked or not by the desk (stored on the reception event);
    refuses (nothing changed) while a required document is unticked: ask for a supplement instead."""
    ticked = {getattr(doc, "pk", doc) for doc in documents or ()}
    requirements = list(dossier.procedure_version.documents.order_by("position", "pk"))
    unknown = ticked - {r.pk for r in requirements}
    if unknown:
        raise ValidationError({"documents": [_("That document is not one of this procedure's.")]})
    missing = [r.name for r in requirements if r.required and r.pk not in ticked]
    if missing:
        raise ValidationError(
            {
                "documents": [
                    _(
                        "The dossier cannot be received: these required documents are not ticked: %(names)s. "
                        "Tick each one you have checked, or request a supplement for what is missing."
                    )
                    % {"names": "; ".join(missing)}
                ]
            }
        )
    return [
        {
            "requirement": r.pk,
            "name": r.name,
            "required": r.required,
            "originals": r.originals,
            "copies": r.copies,
            "received": r.pk in ticked,
        }
        for r in requirements
    ]


def received_checklist(dossier: Dossier) -> list[dict] | None:
    """The checklist the desk ticked at reception (None for a dossier received before there was one)."""
    event = dossier.events.filter(kind=EventKind.RECEIVED).order_by("-at", "-pk").first()
    return event.data.get("checklist") if event else None


def proposed_supplement_items(dossier: Dossier, ticked=None) -> str:
    """What the desk would ask for at reception: the required documents not ticked (or, before any
    tick, those with no file attached), one line each, as the supplement form reads them."""
    requirements = dossier.procedure_version.documents.filter(required=True).order_by("position", "pk")
    if ticked is None:
        attached = set(dossier.attachments.values_list("requirement_id", flat=True))
        missing = [r for r in requirements if r.pk not in attached]
    else:
        ticked = {str(getattr(t, "pk", t)) for t in ticked}
        missing = [r for r in requirements if str(r.pk) not in ticked]
    why = _("required by the procedure and not in the dossier")
    return "\n".join(f"{r.name} — {why}" for r in missing)


def dossier_receive(*, dossier: Dossier, actor, role: str = StaffRole.RECEPTIONIST, documents=()) -> Dossier:
    """The desk accepts a complete dossier, its checklist ticked: the legal clock starts and Form 01
    is issued listing what was received."""
    checklist = reception_checklist(dossier, documents)
    now = timezone.now()
    deadline = due_date(now, dossier.procedure_version.processing_days)
    dossier.receive()
    fields = ["received_at", "counting_from", "due_at", *STEP_FIELDS]
    desk = desk_receiving_at(actor, dossier)
    if desk is not None:  # received at another desk of the province: that desk returns the result
        dossier.receiving_agency_id = desk
        fields.append("receiving_agency")
    dossier.received_at, dossier.counting_from, dossier.due_at = now, deadline.counting_from, deadline.due_at
    # The desk's own step (transfer to the competent department) has its own deadline.
    step = next((s for s in dossier.procedure_version.steps.all() if s.role == StaffRole.RECEPTIONIST), None)
    dossier.step_started_at = now
    dossier.step_due_at = step_due(now, step.working_days, settings.OFFICE_CLOSES_AT) if step else deadline.due_at
    _save(dossier, *fields)
    record_event(
        dossier,
        kind=EventKind.RECEIVED,
        actor=actor,
        from_status=S.SUBMITTED,
        role=role,
        agency=dossier.receiving_agency,
        data={"due_at": deadline.due_at.isoformat(), "checklist": checklist},
    )
    return dossier


def dossier_refuse_reception(*, dossier: Dossier, actor, role: str, reasons: str) -> Dossier:
    """The desk refuses a dossier it cannot accept (Form 03), or one whose supplement, asked at
    reception, was not answered in time: processing ends."""
    from_status = dossier.status
    dossier.refuse_reception()
    _end(dossier)
    return _hand_on(
        dossier,
        None,
        actor=actor,
        role=role,
        kind=EventKind.RECEPTION_REFUSED,
        from_status=from_status,
        fields=END_FIELDS,
        comment=reasons,
    )


def dossier_request_supplement(
    *, dossier: Dossier, actor, items: list[dict], message: str = "", role: str = StaffRole.RECEPTIONIST
) -> SupplementRequest:
    """Ask for everything missing at once (Form 02), at reception or within the allowed window."""
    items = [i for i in items if (i.get("what") or "").strip()]
    if not items or any(not (i.get("why") or "").strip() for i in items):
        raise ValidationError({"items": [_("List each missing document with the reason it is needed.")]})
    if dossier.received_at is not None:
        calendar = WorkingCalendar.around(timezone.localtime(dossier.received_at).date())
        waited = calendar.working_days_between(timezone.localtime(dossier.received_at).date(), timezone.localdate())
        if waited > settings.SUPPLEMENT_WINDOW_WORKING_DAYS:
            raise ValidationError(
                _("A supplement may be requested only within %(days)s working days of reception.")
                % {"days": settings.SUPPLEMENT_WINDOW_WORKING_DAYS}
            )
    from_status = dossier.status
    dossier.request_supplement()
    _save(dossier)
    request = SupplementRequest.objects.create(
        dossier=dossier,
        round=dossier.supplement_requests.count() + 1,
        requested_by=actor,
        items=items,
        message=message,
        answer_by=step_due(timezone.now(), settings.SUPPLEMENT_ANSWER_WORKING_DAYS, settings.OFFICE_CLOSES_AT),
    )
    record_event(
        dossier,
        kind=EventKind.SUPPLEMENT_REQUESTED,
        actor=actor,
        from_status=from_status,
        role=role,
        comment=message,
        data={"round": request.round, "items": items, "answer_by": request.answer_by.isoformat()},
    )
    return request  # its dossier is the one passed in, now awaiting the supplement


def dossier_assign(*, dossier: Dossier, actor, role: str, specialist, comment: str = "") -> Dossier:
    """The desk or the leader gives the dossier to a specialist of the competent agency."""
    from_status = dossier.status
    dossier.assign()
    dossier.assigned_to = specialist
    return _hand_on(
        dossier,
        StaffRole.SPECIALIST,
        actor=actor,
        role=role,
        kind=EventKind.ASSIGNED,
        from_status=from_status,
        fields=("assigned_to",),
        comment=comment,
        data={"specialist": specialist.full_name},
        public=False,
    )


def dossier_consult(*, dossier: Dossier, actor, role: str, agency, working_days: int, question: str) -> Dossier:
    """The specialist asks another agency's opinion, to be answered within some working days."""
    dossier.consult()
    dossier.consulted_agency = agency
    _save(dossier, "consulted_agency")
    due = step_due(timezone.now(), working_days, settings.OFFICE_CLOSES_AT)
    record_event(
        dossier,
        kind=EventKind.CONSULTATION_SENT,
        actor=actor,
        from_status=S.IN_PROCESSING,
        role=role,
        comment=question,
        public=False,
        data={"agency": agency.code, "consultation_due_at": due.isoformat()},
    )
    return dossier


def dossier_record_consultation(*, dossier: Dossier, actor, role: str, answer: str, answer_file=None) -> Dossier:
    """The consulted agency's own officer gives its opinion (and may attach its written answer):
    appraisal goes on at the competent agency."""
    checked = officer_upload_check(answer_file, field="answer_file") if answer_file else None
    dossier.record_consultation()
    agency = dossier.consulted_agency
    dossier.consulted_agency = None
    _save(dossier, "consulted_agency")
    data = {"agency": agency.code if agency else None, "agency_name": agency.name if agency else None}
    if checked:
        stored = _officer_file_store(
            dossier, kind=OfficerFile.Kind.CONSULTATION, upload=answer_file, checked=checked, actor=actor, agency=agency
        )
        data["file"] = {"id": str(stored.public_id), "name": stored.name}
    record_event(
        dossier,
        kind=EventKind.CONSULTATION_ANSWERED,
        actor=actor,
        from_status=S.CONSULTING,
        role=role,
        comment=answer,
        public=False,
        data=data,
        agency=agency,
    )
    return dossier


def dossier_submit_for_approval(*, dossier: Dossier, actor, role: str, comment: str = "", report=None) -> Dossier:
    """The specialist sends the appraisal to the leader, with its report (a PDF) when there is one."""
    checked = officer_upload_check(report, field="report", pdf_only=True) if report else None
    dossier.submit_for_approval()
    data = {}
    if checked:
        stored = _officer_file_store(
            dossier,
            kind=OfficerFile.Kind.APPRAISAL,
            upload=report,
            checked=checked,
            actor=actor,
            agency=dossier.competent_agency,
        )
        data["appraisal_report"] = {"id": str(stored.public_id), "name": stored.name}
    return _hand_on(
        dossier,
        StaffRole.LEADER,
        actor=actor,
        role=role,
        kind=EventKind.SUBMITTED_FOR_APPROVAL,
        from_status=S.IN_PROCESSING,
        comment=comment,
        public=False,
        data=data,
    )


def officer_upload_check(upload, *, field: str, pdf_only: bool = False):
    """An officer's upload through the same checks as the applicants' (portal/uploads.py); as
    with the procedures' blank forms, a scanner that does not answer is a refusal (nothing is
    stored pending). Raises ValidationError on the field; nothing is changed then."""
    try:
        checked = check_upload(upload)
    except FileRefused as refused:
        raise ValidationError({field: refused.messages}) from None
    if checked.scan_status == ScanStatus.PENDING:
        raise ValidationError({field: [_("The virus scanner did not answer; attach the file again in a few minutes.")]})
    if pdf_only and checked.content_type != PDF:
        raise ValidationError({field: [_("Attach the report as a PDF file.")]})
    return checked


def _officer_file_store(dossier: Dossier, *, kind: str, upload, checked, actor, agency) -> OfficerFile:
    stored = OfficerFile(
        dossier=dossier,
        kind=kind,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scan_status=checked.scan_status,
        uploaded_by=actor,
        agency=agency,
    )
    stored.file.save(checked.name, upload, save=False)
    stored.save()
    return stored


def dossier_send_back(*, dossier: Dossier, actor, role: str, comment: str = "") -> Dossier:
    """The leader returns the appraisal to the specialist, saying what to rework."""
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what must be reworked.")]})
    dossier.send_back()
    return _hand_on(
        dossier,
        StaffRole.SPECIALIST,
        actor=actor,
        role=role,
        kind=EventKind.SENT_BACK,
        from_status=S.AWAITING_APPROVAL,
        comment=comment,
        public=False,
    )


def dossier_approve(*, dossier: Dossier, actor, role: str, comment: str = "") -> Dossier:
    dossier.approve()
    return _hand_on(
        dossier,
        StaffRole.LEADER,
        actor=actor,
        role=role,
        kind=EventKind.APPROVED,
        from_status=S.AWAITING_APPROVAL,
        comment=comment,
    )


def dossier_refuse(*, dossier: Dossier, actor, role: str, reasons: str) -> Dossier:
    """Refuse after appraisal (Form 03): processing ends."""
    from_status = dossier.status
    dossier.refuse()
    _end(dossier)
    return _hand_on(
        dossier,
        None,
        actor=actor,
        role=role,
        kind=EventKind.REFUSED,
        from_status=from_status,
        fields=END_FIELDS,
        comment=reasons,
    )


def dossier_request_payment(*, dossier: Dossier, actor, role: str, amount: int, comment: str = "") -> Dossier:
    """The specialist sets the fee to pay; the dossier waits for it at the desk."""
    from_status = dossier.status
    dossier.request_payment()
    dossier.fee_due = amount
    _hand_on(
        dossier,
        StaffRole.RECEPTIONIST,
        actor=actor,
        role=role,
        kind=EventKind.PAYMENT_REQUESTED,
        from_status=from_status,
        fields=("status_before_interruption", "fee_due"),
        comment=comment,
        data={"amount": amount},
    )
    hooks.fee_requested(dossier=dossier, actor=actor)  # payments opened for the old amount stop here
    return dossier


def dossier_confirm_payment(*, dossier: Dossier, actor, role: str, comment: str = "") -> Dossier:
    """The fee is paid: the dossier goes back to whoever it was waiting with."""
    if (
        actor is not None
        and dossier.fee_due > 0
        and not dossier.payments.filter(
            status="paid", amount=dossier.fee_due, paid_at__gte=dossier.step_started_at
        ).exists()
    ):
        # An officer's word alone settles no fee: the money is recorded first, which confirms.
        raise ValidationError(
            _(
                "No payment of the amount due has been received since it was requested: record "
                "the payment received at the desk instead."
            )
        )
    dossier.confirm_payment()
    back_to = StaffRole.LEADER if dossier.status == S.APPROVED else StaffRole.SPECIALIST
    return _hand_on(
        dossier,
        back_to,
        actor=actor,
        role=role,
        kind=EventKind.PAYMENT_CONFIRMED,
        from_status=S.AWAITING_PAYMENT,
        comment=comment,
    )


def dossier_issue_result(*, dossier: Dossier, actor, role: str, comment: str = "") -> Dossier:
    """The leader issues the result (rendered and signed after commit); the desk returns it."""
    dossier.issue_result()
    _end(dossier)
    return _hand_on(
        dossier,
        StaffRole.RECEPTIONIST,
        actor=actor,
        role=role,
        kind=EventKind.RESULT_ISSUED,
        from_status=S.APPROVED,
        fields=END_FIELDS,
        comment=comment,
    )


def dossier_return_result(*, dossier: Dossier, actor, role: str, collected_by: str = "") -> Dossier:
    dossier.return_result()
    dossier.returned_at = timezone.now()
    dossier.collected_by = collected_by
    return _hand_on(
        dossier,
        None,
        actor=actor,
        role=role,
        kind=EventKind.RESULT_RETURNED,
        from_status=S.FINISHED,
        fields=("returned_at", "collected_by"),
        data={"collected_by": collected_by, "delivery": dossier.delivery},
    )


def dossier_stop(*, dossier: Dossier, actor, role: str, reasons: str) -> Dossier:
    """The leader stops processing (Form 03's other ground): processing ends."""
    from_status = dossier.status
    dossier.stop()
    _end(dossier)
    return _hand_on(
        dossier,
        None,
        actor=actor,
        role=role,
        kind=EventKind.STOPPED,
        from_status=from_status,
        fields=END_FIELDS,
        comment=reasons,
    )


def dossier_extend(*, dossier: Dossier, actor, role: str, new_due_date, reasons: str) -> Dossier:
    """Apologize and set a new appointment date (Form 04), no later than the rule allows. Once
    only: the state machine's guard decides that (workflow.py)."""
    last_day = latest_extension_day(dossier.due_at, settings.EXTENSION_NOTICE_WORKING_DAYS)
    if timezone.localdate() > last_day:
        raise ValidationError(
            _("The apology must be sent at least %(days)s working day(s) before the due date, i.e. by %(day)s.")
            % {"days": settings.EXTENSION_NOTICE_WORKING_DAYS, "day": last_day.strftime("%d/%m/%Y")}
        )
    new_due = timezone.make_aware(datetime.combine(new_due_date, time.fromisoformat(settings.OFFICE_CLOSES_AT)))
    if new_due <= dossier.due_at:
        raise ValidationError({"new_due_date": [_("The new date must be after the current due date.")]})
    status = dossier.status
    dossier.extend()
    dossier.original_due_at, dossier.due_at, dossier.extended_at = dossier.due_at, new_due, timezone.now()
    dossier.due_soon_notified_at = dossier.overdue_notified_at = None  # the new date gets its own warnings
    _save(dossier, "original_due_at", "due_at", "extended_at", "due_soon_notified_at", "overdue_notified_at")
    record_event(
        dossier,
        kind=EventKind.EXTENDED,
        actor=actor,
        from_status=status,
        role=role,
        comment=reasons,
        data={"new_due_at": new_due.isoformat(), "original_due_at": dossier.original_due_at.isoformat()},
    )
    return dossier


def dossier_confirm_withdrawal(*, dossier: Dossier, actor, role: str = StaffRole.RECEPTIONIST) -> Dossier:
    """The desk confirms the applicant's withdrawal: processing ends."""
    dossier.confirm_withdrawal()
    dossier.finished_at = timezone.now()
    _save(dossier, "finished_at")
    record_event(
        dossier, kind=EventKind.WITHDRAWAL_CONFIRMED, actor=actor, from_status=S.WITHDRAWAL_REQUESTED, role=role
    )
    return dossier


# --- The applicant answers a supplement, withdraws, rates ----------------------------------------


@transaction.atomic
def dossier_resubmit(*, dossier: Dossier, actor, uploads: list[tuple], answer: str = "") -> Dossier:
    """The applicant sends what was asked, one slot per requested item (`uploads`: (item index,
    file) pairs; a requirement id or "other" for files sent outside the items).

    Asked at reception, the dossier goes back to the desk to be received (Form 01, and the legal
    clock starts there) or asked again. Asked during appraisal, the legal deadline counts again
    from zero (Decree 61 Art. 19.4), and the time spent waiting stays on the request for statistics."""
    dossier = _locked(dossier)
    if dossier.status != S.SUPPLEMENT_REQUESTED:
        raise DossierConflict(_("No supplement is being requested for this dossier."))
    request = dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-round").first()
    if not uploads and not answer.strip():
        raise ValidationError(_("Attach the requested documents or write a note before sending."))
    items = [dict(item) for item in (request.items if request else [])]
    for slot, upload in uploads:
        index = _item_index(slot, items)
        attachment = dossier_attach(
            dossier=dossier,
            requirement_id=items[index].get("requirement") if index is not None else slot,
            upload=upload,
            supplement_round=request.round if request else 1,
        )
        if index is not None:  # the desk sees which file answers which item
            items[index].setdefault("files", []).append(str(attachment.public_id))
    now = timezone.now()
    from_reception = dossier.received_at is None
    dossier.resubmit()
    fields = ["status", "updated_at"]
    data = {"round": request.round if request else None}
    if not from_reception:
        deadline = due_date(now, dossier.procedure_version.processing_days)
        dossier.counting_from, dossier.due_at = deadline.counting_from, deadline.due_at
        dossier.due_soon_notified_at = dossier.overdue_notified_at = None
        fields += ["counting_from", "due_at", "due_soon_notified_at", "overdue_notified_at"]
        data["due_at"] = deadline.due_at.isoformat()
    dossier.save(update_fields=fields)
    if request:
        request.answered_at, request.answer, request.items = now, answer, items
        request.save(update_fields=["answered_at", "answer", "items"])
    record_event(
        dossier,
        kind=EventKind.RESUBMITTED,
        actor=actor,
        from_status=S.SUPPLEMENT_REQUESTED,
        comment=answer,
        data=data,
    )
    _keep_in_store(dossier)
    return dossier


def _item_index(slot, items: list[dict]) -> int | None:
    """The requested item an upload slot ("item-<n>") answers; None for a requirement's own slot."""
    if not str(slot).startswith("item-"):
        return None
    try:
        index = int(str(slot).removeprefix("item-"))
    except ValueError:
        raise ValidationError(_("That document is not part of this supplement request.")) from None
    if not 0 <= index < len(items):
        raise ValidationError(_("That document is not part of this supplement request."))
    return index


@transaction.atomic
def dossier_request_withdrawal(*, dossier: Dossier, actor, reason: str) -> Dossier:
    """The applicant asks to withdraw before a decision; an officer confirms it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the withdrawal.")]})
    dossier = _locked(dossier)
    from_status = dossier.status
    if from_status not in WITHDRAWABLE_STATES:
        raise DossierConflict(_("This dossier can no longer be withdrawn."))
    dossier.request_withdrawal()
    dossier.withdrawal_reason = reason.strip()
    dossier.save(update_fields=["status", "status_before_interruption", "withdrawal_reason", "updated_at"])
    record_event(dossier, kind=EventKind.WITHDRAWAL_REQUESTED, actor=actor, from_status=from_status, comment=reason)
    return dossier


RATING_CRITERIA = Rating.CRITERIA


@transaction.atomic
def dossier_rate(*, dossier: Dossier, actor, scores: dict, comment: str = "") -> Rating:
    """Rate the service once the result is returned; the rating can be changed for a few days."""
    dossier = _locked(dossier)
    if dossier.status != S.RETURNED:
        raise DossierConflict(_("A dossier can be rated once its result is returned."))
    rating = Rating.objects.filter(dossier=dossier).first()
    if rating and timezone.now() - rating.created_at > timedelta(days=settings.RATING_EDITABLE_DAYS):
        raise ValidationError(
            _("A rating can be changed for %(days)s days only.") % {"days": settings.RATING_EDITABLE_DAYS}
        )
    values = {name: int(scores[name]) for name in RATING_CRITERIA}
    if any(v not in (0, 1, 2) for v in values.values()):
        raise ValidationError(_("Each score must be 0, 1 or 2."))
    rating = rating or Rating(dossier=dossier)
    for name, value in values.items():
        setattr(rating, name, value)
    rating.comment = (comment or "")[:2000]
    # A first rating is an insert; a changed one writes only the scores.
    rating.save(update_fields=[*Rating.CRITERIA, "comment", "updated_at"] if rating.pk else None)
    record_event(dossier, kind=EventKind.RATED, actor=actor, from_status=dossier.status, public=False, data=values)
    return rating


def available_documents(dossier: Dossier, *, staff: bool) -> list[dict]:
    """The paper forms and the result that exist for this dossier, as download links."""
    from django.urls import reverse

    from .constants import EventKind as K
    from .models import DossierDocument

    kinds = set(dossier.events.values_list("kind", flat=True))
    wanted = []
    if dossier.received_at:
        wanted.append(DossierDocument.Kind.FORM01)
    if K.SUPPLEMENT_REQUESTED in kinds:
        wanted.append(DossierDocument.Kind.FORM02)
    if kinds & {K.REFUSED, K.RECEPTION_REFUSED}:
        wanted.append(DossierDocument.Kind.FORM03)
    if K.EXTENDED in kinds:
        wanted.append(DossierDocument.Kind.FORM04)
    if staff and dossier.received_at:
        wanted.append(DossierDocument.Kind.FORM05)
    if dossier.status in (S.FINISHED, S.RETURNED):
        wanted.append(DossierDocument.Kind.RESULT)
    return [
        {
            "kind": kind,
            "label": DossierDocument.Kind(kind).label,
            "url": reverse("dossiers:document", kwargs={"code": dossier.code, "kind": kind}),
        }
        for kind in wanted
    ]


def result_verify(pdf: bytes) -> dict:
    """Is this PDF a result the portal issued (same bytes as stored) with an intact signature?"""
    import hashlib

    from .models import DossierDocument

    digest = hashlib.sha256(pdf).hexdigest()
    issued = (
        DossierDocument.objects.filter(kind=DossierDocument.Kind.RESULT, sha256=digest)
        .select_related("dossier__procedure_version", "dossier__competent_agency")
        .first()
    )
    check = verify_pdf(pdf)
    verdict = _verdict(check, issued=issued is not None)
    return {
        "verdict": verdict,
        "issued": issued is not None,
        "dossier_code": issued.dossier.code if issued else "",
        "procedure": issued.dossier.procedure_version.name if issued else "",
        "agency": issued.dossier.competent_agency.name if issued else "",
        "issued_at": issued.created_at if issued else None,
        "signature": check,
        "valid": verdict == "authentic",
    }


def _verdict(check, *, issued: bool) -> str:
    """One verdict, so the page never says "not confirmed" next to "intact, trusted": the first
    thing wrong, in the order a reader would check it. A file the portal stored is authentic when
    its signature holds; another file only when its signature covers every byte of it."""
    if not check.readable:
        return "not_pdf"
    if not check.signed:
        return "unsigned"
    if not check.intact:
        return "altered"
    if not check.trusted:
        return "untrusted"
    if not issued and not (check.unmodified and check.whole_file):
        return "added"
    return "authentic"
