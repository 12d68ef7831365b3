"""Use cases of dossiers, citizen side first: each opens its own transaction, changes state
only through the state machine, and writes the audit event in the same transaction; side
effects (emails, PDFs) go out after commit."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.constants import StaffRole
from portal.models import User
from portal.outbox import outbox_write
from portal.signing import verify_pdf
from procedures.calendar import WorkingCalendar, due_date
from procedures.constants import VersionStatus
from procedures.models import DocumentRequirement, ProcedureVersion

from . import tasks
from .codes import next_dossier_code
from .constants import WITHDRAWABLE, Channel, Delivery, DocumentSource, DossierStatus, EventKind, ScanStatus
from .files import check_upload
from .forms import ApplicantForm, DeliveryForm, application_form_class, form_data_to_json
from .models import Attachment, Dossier, DossierEvent, Rating, StoredDocument, SupplementRequest

S = DossierStatus
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
        found = [f"{name}: {' '.join(errors)}" for part in (self.applicant, self.form, self.delivery)
                 for name, errors in part.items()]
        found += [_("Missing document: %(name)s") % {"name": doc.name} for doc in self.missing_documents]
        return found


def record_event(dossier, *, kind, actor, from_status="", comment="", public=True, data=None, role="", agency=None):
    """Write one audit event and its outbox row, inside the transaction of the change it records:
    notifications, forms and the national sync follow after commit (dossiers/fanout.py)."""
    event = DossierEvent.objects.create(
        dossier=dossier, kind=kind, actor=actor, from_status=from_status, to_status=dossier.status,
        comment=comment, public=public, data=data or {}, role=role, agency=agency,
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
        procedure_version=version, applicant=applicant, applicant_name=applicant.full_name,
        applicant_id_number=applicant.personal_id or "", applicant_phone=applicant.phone or "",
        applicant_email=applicant.email or "", applicant_address=applicant.address,
        receiving_agency=version.agency, competent_agency=version.agency,
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


@transaction.atomic
def dossier_counter_draft(*, officer, version: ProcedureVersion) -> Dossier:
    """A receptionist files a dossier for a walk-in applicant: a draft of their own desk's."""
    desk = officer.memberships.filter(role=StaffRole.RECEPTIONIST).select_related("agency").first()
    if desk is None:
        raise ValidationError(_("Only one-stop desk officers file dossiers at the counter."))
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("This procedure is not open for submission."))
    draft = Dossier.objects.create(
        procedure_version=version, filed_by=officer, channel=Channel.COUNTER, delivery=Delivery.COUNTER,
        receiving_agency=desk.agency if version.cross_boundary else version.agency, competent_agency=version.agency,
    )
    record_event(draft, kind=EventKind.CREATED, actor=officer, public=False, role=StaffRole.RECEPTIONIST,
                 agency=desk.agency)
    return draft


@transaction.atomic
def dossier_draft_update(*, dossier: Dossier, applicant_data: dict, form_data: dict, delivery: str,
                         delivery_address: str, fee_quantities: dict | None = None) -> Dossier:
    """Keep what the applicant typed, valid or not: a draft loses nothing."""
    dossier = _locked(dossier)
    if dossier.status != S.DRAFT:
        raise ValidationError(_("This dossier was already submitted."))
    for name in ApplicantForm.base_fields:
        setattr(dossier, name, str(applicant_data.get(name, ""))[:255])
    schema_names = {spec["name"] for spec in dossier.procedure_version.form_schema}
    dossier.form_data = {k: v for k, v in form_data.items() if k in schema_names}
    dossier.delivery = delivery if delivery in dict(DeliveryForm.base_fields["delivery"].choices) else dossier.delivery
    dossier.delivery_address = (delivery_address or "")[:255]
    if fee_quantities is not None:
        unit_fees = [fee for fee in dossier.procedure_version.fees.all() if fee.unit != "dossier"]
        dossier.fee_quantities = {str(fee.pk): fee_quantity(fee_quantities, fee) for fee in unit_fees}
    dossier.save(update_fields=[*ApplicantForm.base_fields, "form_data", "delivery", "delivery_address",
                                "fee_quantities", "updated_at"])
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
        dossier=dossier, requirement=requirement, name=checked.name, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, supplement_round=supplement_round,
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
        owner_id=dossier.applicant_id, public_id=stored_id,
        document_type=requirement.name if requirement else OTHER_DOCUMENT_TYPE,
    ).first()
    if stored is None:
        raise ValidationError(_("That stored document was not found."))
    existing = dossier.attachments.filter(reused_from=stored, requirement=requirement).first()
    if existing:
        return existing
    return Attachment.objects.create(
        dossier=dossier, requirement=requirement, file=stored.file.name, name=stored.name,
        content_type=stored.content_type, size=stored.size, sha256=stored.sha256, reused_from=stored,
        scan_status=stored.scan_status,
    )


def dossier_detach(*, dossier: Dossier, attachment_id) -> None:
    if dossier.status != S.DRAFT:
        raise ValidationError(_("Files of a submitted dossier cannot be removed."))
    attachment = dossier.attachments.filter(public_id=attachment_id).first()
    if attachment is not None:
        if attachment.reused_from_id is None:
            attachment.file.delete(save=False)
        attachment.delete()


def dossier_problems(dossier: Dossier) -> DossierProblems:
    """Everything that still stops this dossier from being submitted, all at once."""
    problems = DossierProblems()
    applicant = ApplicantForm({name: getattr(dossier, name) for name in ApplicantForm.base_fields})
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
        dossier.applicant = User.objects.filter(personal_id=dossier.applicant_id_number,
                                                personal_id_verified=True).first()
    dossier.code = next_dossier_code(agency=dossier.receiving_agency, at=now)
    dossier.fee_due = fee_due(dossier.procedure_version, online=True, quantities=dossier.fee_quantities)
    dossier.submitted_at = now
    dossier.cross_boundary = dossier.procedure_version.cross_boundary
    dossier.submit()
    dossier.save(update_fields=["status", "form_data", "applicant", "code", "fee_due", "submitted_at",
                                "cross_boundary", "updated_at"])
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
            owner_id=dossier.applicant_id, sha256=attachment.sha256, document_type=document_type,
            defaults={"name": attachment.name, "file": attachment.file.name, "content_type": attachment.content_type,
                      "size": attachment.size, "source": DocumentSource.UPLOAD, "source_dossier": dossier,
                      "scan_status": attachment.scan_status},
        )


# --- Reception and supplements (the desk's side of the citizen journey) -----------------------

@transaction.atomic
def dossier_receive(*, dossier: Dossier, actor, role: str = "receptionist", desk_agency_id=None) -> Dossier:
    """The desk accepts a complete dossier: the legal clock starts and Form 01 is issued."""
    from .deadlines import step_due

    dossier = _locked(dossier)
    now = timezone.now()
    deadline = due_date(now, dossier.procedure_version.processing_days)
    dossier.receive()
    if desk_agency_id is not None:
        dossier.receiving_agency_id = desk_agency_id
    dossier.received_at, dossier.counting_from, dossier.due_at = now, deadline.counting_from, deadline.due_at
    # The desk's own step (transfer to the competent department) has its own deadline.
    step = next((s for s in dossier.procedure_version.steps.all() if s.role == "receptionist"), None)
    dossier.step_started_at = now
    dossier.step_due_at = step_due(now, step.working_days, settings.OFFICE_CLOSES_AT) if step else deadline.due_at
    dossier.save(update_fields=["status", "receiving_agency", "received_at", "counting_from", "due_at",
                                "step_started_at", "step_due_at", "updated_at"])
    record_event(dossier, kind=EventKind.RECEIVED, actor=actor, from_status=S.SUBMITTED, role=role,
                         agency=dossier.receiving_agency, data={"due_at": deadline.due_at.isoformat()})
    return dossier


@transaction.atomic
def dossier_request_supplement(*, dossier: Dossier, actor, items: list[dict], message: str = "",
                               role: str = "receptionist") -> SupplementRequest:
    """Ask for everything missing at once (Form 02), at reception or within the allowed window."""
    dossier = _locked(dossier)
    items = [i for i in items if (i.get("what") or "").strip()]
    if not items or any(not (i.get("why") or "").strip() for i in items):
        raise ValidationError({"items": [_("List each missing document with the reason it is needed.")]})
    if dossier.received_at is not None:
        calendar = WorkingCalendar.around(timezone.localtime(dossier.received_at).date())
        waited = calendar.working_days_between(timezone.localtime(dossier.received_at).date(),
                                               timezone.localdate())
        if waited > settings.SUPPLEMENT_WINDOW_WORKING_DAYS:
            raise ValidationError(
                _("A supplement may be requested only within %(days)s working days of reception.")
                % {"days": settings.SUPPLEMENT_WINDOW_WORKING_DAYS}
            )
    from_status = dossier.status
    dossier.request_supplement()
    dossier.save(update_fields=["status", "updated_at"])
    request = SupplementRequest.objects.create(
        dossier=dossier, round=dossier.supplement_requests.count() + 1, requested_by=actor, items=items,
        message=message,
    )
    record_event(dossier, kind=EventKind.SUPPLEMENT_REQUESTED, actor=actor, from_status=from_status, role=role,
                    comment=message, data={"round": request.round, "items": items})
    return request


@transaction.atomic
def dossier_resubmit(*, dossier: Dossier, actor, uploads: list[tuple], answer: str = "") -> Dossier:
    """The applicant sends what was asked; the legal deadline counts again from zero
    (Decree 61 Art. 19.4), and the time spent waiting stays on the request for statistics."""
    dossier = _locked(dossier)
    if dossier.status != S.SUPPLEMENT_REQUESTED:
        raise ValidationError(_("No supplement is being requested for this dossier."))
    request = dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-round").first()
    if not uploads and not answer.strip():
        raise ValidationError(_("Attach the requested documents or write a note before sending."))
    for requirement_id, upload in uploads:
        dossier_attach(dossier=dossier, requirement_id=requirement_id, upload=upload,
                       supplement_round=request.round if request else 1)
    now = timezone.now()
    deadline = due_date(now, dossier.procedure_version.processing_days)
    dossier.resubmit()
    dossier.counting_from, dossier.due_at = deadline.counting_from, deadline.due_at
    dossier.due_soon_notified_at = dossier.overdue_notified_at = None
    dossier.save(update_fields=["status", "counting_from", "due_at", "due_soon_notified_at", "overdue_notified_at",
                                "updated_at"])
    if request:
        request.answered_at, request.answer = now, answer
        request.save(update_fields=["answered_at", "answer"])
    record_event(dossier, kind=EventKind.RESUBMITTED, actor=actor, from_status=S.SUPPLEMENT_REQUESTED, comment=answer,
            data={"round": request.round if request else None, "due_at": deadline.due_at.isoformat()})
    _keep_in_store(dossier)
    return dossier


# --- Withdrawal and rating --------------------------------------------------------------------

@transaction.atomic
def dossier_request_withdrawal(*, dossier: Dossier, actor, reason: str) -> Dossier:
    """The applicant asks to withdraw before a decision; an officer confirms it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the withdrawal.")]})
    dossier = _locked(dossier)
    from_status = dossier.status
    if from_status not in WITHDRAWABLE_STATES:
        raise ValidationError(_("This dossier can no longer be withdrawn."))
    dossier.request_withdrawal()
    dossier.withdrawal_reason = reason.strip()
    dossier.save(update_fields=["status", "status_before_interruption", "withdrawal_reason", "updated_at"])
    record_event(dossier, kind=EventKind.WITHDRAWAL_REQUESTED, actor=actor, from_status=from_status, comment=reason)
    return dossier


@transaction.atomic
def dossier_confirm_withdrawal(*, dossier: Dossier, actor, role: str = "receptionist") -> Dossier:
    dossier = _locked(dossier)
    dossier.confirm_withdrawal()
    dossier.finished_at = timezone.now()
    dossier.save(update_fields=["status", "finished_at", "updated_at"])
    record_event(dossier, kind=EventKind.WITHDRAWAL_CONFIRMED, actor=actor, from_status=S.WITHDRAWAL_REQUESTED, role=role)
    return dossier


RATING_CRITERIA = Rating.CRITERIA


@transaction.atomic
def dossier_rate(*, dossier: Dossier, actor, scores: dict, comment: str = "") -> Rating:
    """Rate the service once the result is returned; the rating can be changed for a few days."""
    dossier = _locked(dossier)
    if dossier.status != S.RETURNED:
        raise ValidationError(_("A dossier can be rated once its result is returned."))
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
    return [{"kind": kind, "label": DossierDocument.Kind(kind).label,
             "url": reverse("dossiers:document", kwargs={"code": dossier.code, "kind": kind})} for kind in wanted]


def result_verify(pdf: bytes) -> dict:
    """Is this PDF a result the portal issued (same bytes as stored) with an intact signature?"""
    import hashlib

    from .models import DossierDocument

    digest = hashlib.sha256(pdf).hexdigest()
    issued = (DossierDocument.objects.filter(kind=DossierDocument.Kind.RESULT, sha256=digest)
              .select_related("dossier__procedure_version", "dossier__competent_agency").first())
    check = verify_pdf(pdf)
    return {
        "issued": issued is not None,
        "dossier_code": issued.dossier.code if issued else "",
        "procedure": issued.dossier.procedure_version.name if issued else "",
        "agency": issued.dossier.competent_agency.name if issued else "",
        "issued_at": issued.created_at if issued else None,
        "signature": check,
        "valid": issued is not None and check.signed and check.intact and check.trusted,
    }
