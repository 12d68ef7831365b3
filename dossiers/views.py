"""The citizen's side of dossiers: thin views that parse input and call one service."""

import logging

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.client import client_address
from portal.services import user_address_remember
from portal.storage import private_file_response
from procedures import selectors as catalogue
from procedures.calendar import expected_result_at
from procedures.models import ProcedureVersion

from . import messaging, selectors, services
from .access import What, dossier_access_record, sees_whole_numbers
from .actions import dossier_actions, dossier_counter_submit
from .constants import Channel, DossierStatus, EventKind, ScanStatus
from .documents import DOCUMENT_LATER, dossier_document_or_later
from .exceptions import DossierConflict
from .files import slot_uploads
from .forms import (
    ApplicantForm,
    DeliveryForm,
    FindApplicantForm,
    LookupForm,
    SupplementResponseForm,
    WithdrawalForm,
    applicant_form_class,
    application_form_class,
    declared_answers,
    mark_for_people,
)
from .models import Dossier, DossierDocument, Rating, StoredDocument

S = DossierStatus
# Who opened which file of a dossier, and how (downloaded or previewed inline): one line per read.
read_log = logging.getLogger("dossiers.reads")


def _get_or_404(getter, **kwargs):
    """Call a selector; whatever the user may not see is simply not found (404, never 403)."""
    try:
        return getter(**kwargs)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404 from None


@login_required
def dossier_start(request, code: str):
    """The 'Submit online' button: open (or resume) the applicant's draft for this procedure."""
    try:
        version = catalogue.procedure_detail(code=code)
    except ProcedureVersion.DoesNotExist:
        raise Http404 from None
    draft = services.dossier_draft_start(applicant=request.user, version=version)
    return redirect("dossiers:draft", public_id=draft.public_id)


def _draft_forms(dossier, data=None):
    schema = dossier.procedure_version.form_schema
    initial_applicant = {name: getattr(dossier, name) for name in ApplicantForm.base_fields}
    forms = {
        "applicant_form": applicant_form_class(dossier)(data, initial=initial_applicant, prefix="a"),
        "application_form": application_form_class(schema)(data, initial=dossier.form_data, prefix="f"),
        "delivery_form": DeliveryForm(
            data, initial={"delivery": dossier.delivery, "delivery_address": dossier.delivery_address}, prefix="d"
        ),
    }
    for form in forms.values():
        mark_for_people(form)
    return forms


def _refused_input(request, dossier) -> tuple[dict, list[str]] | None:
    """Text longer than its field allows and quantities out of range are refused, never cut or
    clamped: the forms with only those errors, and the quantity messages (None: all acceptable)."""
    forms = _draft_forms(dossier, request.POST)
    too_long = False
    for form in forms.values():
        form.is_valid()
        kept = {
            name: errors
            for name, errors in form.errors.as_data().items()
            if any(error.code == "max_length" for error in errors)
        }
        form._errors = ErrorDict(
            {name: form.error_class([e for e in errs if e.code == "max_length"]) for name, errs in kept.items()}
        )
        too_long = too_long or bool(kept)
    quantity_errors = []
    for fee in dossier.procedure_version.fees.all():
        raw = request.POST.get(f"qty-{fee.pk}")
        if raw is None or fee.unit == "dossier":
            continue
        try:
            ok = 1 <= int(raw.strip()) <= services.MAX_FEE_QUANTITY
        except ValueError:
            ok = False
        if not ok:
            quantity_errors.append(
                _("“%(fee)s”: give a whole number from 1 to %(max)s.")
                % {"fee": fee.name, "max": services.MAX_FEE_QUANTITY}
            )
    if not too_long and not quantity_errors:
        return None
    return forms, quantity_errors


def _raw(data, prefix, names):
    return {name: data.get(f"{prefix}-{name}", "") for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request, public_id):
    """The submission form: applicant, application form, documents and delivery on one page."""
    dossier = _get_or_404(selectors.draft_for, user=request.user, public_id=public_id)
    file_errors = []
    at_counter = dossier.channel == Channel.COUNTER and dossier.filed_by_id == request.user.pk
    if request.method == "POST":
        refused = _refused_input(request, dossier)
        if refused:  # nothing is saved: the page says what to correct, with what was typed
            forms, quantity_errors = refused
            return _render_draft(request, dossier, forms, input_errors=quantity_errors or [""], status=400)
        version = dossier.procedure_version
        file_errors = _take_files(request, dossier)
        services.dossier_draft_update(
            dossier=dossier,
            applicant_data=_raw(request.POST, "a", ApplicantForm.base_fields),
            form_data=_raw(request.POST, "f", [spec["name"] for spec in version.form_schema]),
            delivery=request.POST.get("d-delivery", ""),
            delivery_address=request.POST.get("d-delivery_address", ""),
            fee_quantities={
                key.removeprefix("qty-"): value for key, value in request.POST.items() if key.startswith("qty-")
            },
        )
        dossier.refresh_from_db()
        action = request.POST.get("action", "upload")  # a Remove button sends no action
        if action == "find_applicant" and at_counter:  # what was typed is kept, the applicant filled in
            return _find_applicant(request, dossier)
        if not file_errors and action == "review":
            problems = services.dossier_problems(dossier)
            if not problems:
                return redirect("dossiers:review", public_id=dossier.public_id)
            return _render_draft(request, dossier, _draft_forms(dossier, request.POST), problems=problems)
        if not file_errors and action == "save":
            messages.success(request, _("Draft saved. You can come back to it from “My dossiers”."))
            return redirect("dossiers:draft", public_id=dossier.public_id)
        if not file_errors:  # uploaded or removed a file: back to the form with everything kept
            return redirect(f"{request.path}#documents")
        return _render_draft(request, dossier, _draft_forms(dossier), file_errors=file_errors)
    if request.GET.get("check"):  # sent back from the review: mark everything still missing
        return _render_draft(
            request,
            dossier,
            _draft_forms(dossier, _stored_as_post(dossier)),
            problems=services.dossier_problems(dossier),
        )
    return _render_draft(request, dossier, _draft_forms(dossier))


def _find_applicant(request, dossier):
    """The desk fills a walk-in's details from their account, found by verified ID number."""
    form = FindApplicantForm(request.POST, prefix="find")
    if form.is_valid():
        try:
            services.dossier_counter_find_applicant(dossier=dossier, id_number=form.cleaned_data["id_number"])
        except ValidationError as error:
            form.add_error("id_number", error.message_dict.get("id_number", error.messages))
        else:
            messages.success(request, _("The applicant's details were filled in from their account: check them."))
            return redirect(f"{request.path}#applicant")
    return _render_draft(request, dossier, _draft_forms(dossier), find_form=form)


def _stored_as_post(dossier) -> dict:
    """The draft's saved values as the form would post them, so bound forms show their errors."""
    data = {f"a-{name}": getattr(dossier, name) for name in ApplicantForm.base_fields}
    data.update({f"f-{name}": value for name, value in dossier.form_data.items()})
    data.update({"d-delivery": dossier.delivery, "d-delivery_address": dossier.delivery_address})
    return data


def _take_files(request, dossier) -> list[str]:
    """Store each valid upload, reuse picked stored documents, remove files; report each refusal."""
    errors = []
    for key in request.FILES:
        if not key.startswith("files-"):
            continue
        for upload in request.FILES.getlist(key):
            try:
                services.dossier_attach(dossier=dossier, requirement_id=key.removeprefix("files-"), upload=upload)
            except ValidationError as error:
                errors.extend(error.messages)
    for key, value in request.POST.items():
        if key.startswith("reuse-") and value:
            try:
                services.dossier_attach_stored(
                    dossier=dossier, requirement_id=key.removeprefix("reuse-"), stored_id=value
                )
            except ValidationError as error:
                errors.extend(error.messages)
    for public_id in request.POST.getlist("remove"):
        try:
            services.dossier_detach(dossier=dossier, attachment_id=public_id)
        except ValidationError as error:
            errors.extend(error.messages)
    return errors


def _render_draft(
    request, dossier, forms, *, problems=None, file_errors=(), find_form=None, input_errors=(), status=200
):
    version = dossier.procedure_version
    attachments = list(dossier.attachments.all())
    stored = list(selectors.stored_documents(request.user))
    slots = [
        {
            "requirement": doc,
            "key": str(doc.pk),
            "attachments": [a for a in attachments if a.requirement_id == doc.pk],
            "stored": [s for s in stored if s.document_type == doc.name],
            "missing": problems is not None and doc in problems.missing_documents,
        }
        for doc in version.documents.all()
    ]
    if problems is not None:  # bound forms show the field errors the problems come from
        for key in ("applicant_form", "application_form", "delivery_form"):
            forms[key].is_valid()
    return render(
        request,
        "dossiers/draft_form.html",
        {
            "dossier": dossier,
            "version": version,
            **forms,
            "slots": slots,
            "other_attachments": [a for a in attachments if a.requirement_id is None],
            "problems": problems,
            "file_errors": file_errors,
            # Filed by this desk officer for a walk-in: the officer's wording, and the lookup.
            "at_counter": dossier.channel == Channel.COUNTER and dossier.filed_by_id == request.user.pk,
            "find_form": find_form or FindApplicantForm(prefix="find"),
            "input_errors": input_errors,
            "required_marks": True,
            "expected_result_at": expected_result_at(version.processing_days),
            "unit_fees": [
                # A refused number is shown as typed, to be corrected.
                (
                    fee,
                    request.POST.get(f"qty-{fee.pk}")
                    if input_errors
                    else services.fee_quantity(dossier.fee_quantities, fee),
                )
                for fee in version.fees.all()
                if fee.unit != "dossier"
            ],
            # The fee for the saved numbers (fees.js updates it as they change; the review page's
            # total, computed again on the server, is the one to pay).
            "fee_estimate": services.fee_due(version, online=True, quantities=dossier.fee_quantities),
            "postal_fee_vnd": services.agency_postal_fee(dossier.receiving_agency),
            "fee_fixed": sum(fee.amount_for(online=True) for fee in version.fees.all() if fee.unit == "dossier"),
            "max_file_mb": settings.ATTACHMENT_MAX_FILE_SIZE // (1024 * 1024),
            "max_dossier_mb": settings.ATTACHMENT_MAX_DOSSIER_SIZE // (1024 * 1024),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_review(request, public_id):
    """Check everything once more, see the fee, and submit."""
    try:
        dossier = selectors.draft_for(request.user, public_id=public_id)
    except (Dossier.DoesNotExist, ValidationError):
        # Submitted already (a second click or the back button): show the dossier itself.
        submitted = (
            Dossier.objects.filter(Q(applicant=request.user) | Q(filed_by=request.user), public_id=public_id)
            .exclude(code=None)
            .first()
        )
        if submitted is None:
            raise Http404 from None
        return redirect("dossiers:detail", code=submitted.code)
    if request.method == "POST":
        try:
            dossier = dossier_counter_submit(dossier=dossier, actor=request.user)
        except services.DossierIncomplete:
            messages.error(request, _("Some information is still missing: see the marked fields."))
            return redirect(reverse("dossiers:draft", kwargs={"public_id": dossier.public_id}) + "?check=1")
        if dossier.channel == Channel.COUNTER and dossier.filed_by_id == request.user.pk:
            # Filed at the counter and received at once: the desk prints Form 01 for the applicant.
            messages.success(
                request,
                _("Dossier %(code)s was filed and received: print the receipt (Form 01).") % {"code": dossier.code},
            )
            return redirect("dossiers:desk", code=dossier.code)
        if request.POST.get("remember_address") and dossier.applicant_id == request.user.pk:
            user_address_remember(user=request.user, address=dossier.applicant_address)
        messages.success(request, _("Your dossier was submitted. Its code is %(code)s.") % {"code": dossier.code})
        return redirect("dossiers:detail", code=dossier.code)
    if services.dossier_problems(dossier):
        return redirect(reverse("dossiers:draft", kwargs={"public_id": dossier.public_id}) + "?check=1")
    version = dossier.procedure_version
    form = application_form_class(version.form_schema)(dossier.form_data)
    form.is_valid()
    return render(
        request,
        "dossiers/draft_review.html",
        {
            "dossier": dossier,
            "version": version,
            "answers": [(form[name].label, form.cleaned_data.get(name)) for name in form.fields],
            "attachments": dossier.attachments.select_related("requirement"),
            "fee_due": services.fee_due(version, online=True, quantities=dossier.fee_quantities)
            + services.postal_fee(dossier),
            "postal_fee": services.postal_fee(dossier),
            "fees": version.fees.all(),
            "expected_result_at": expected_result_at(version.processing_days),
            "at_counter": dossier.channel == Channel.COUNTER and dossier.filed_by_id == request.user.pk,
            "offer_remember_address": dossier.applicant_id == request.user.pk
            and dossier.applicant_address.strip() != request.user.address.strip(),
        },
    )


@login_required
def dossier_list(request):
    """My dossiers: newest first, filter by status, search by code."""
    status = request.GET.get("status", "")
    status = status if status in S.values else ""
    code = request.GET.get("code", "")[:48]
    page = Paginator(selectors.applicant_dossiers(request.user, status=status, code=code), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "page_obj": page,
            "status": status,
            "code": code,
            "statuses": S.choices,
        },
    )


@login_required
def dossier_detail(request, code: str):
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    dossier_access_record(user=request.user, dossier=dossier, what=What.PAGE)
    return _render_detail(request, dossier)


def _render_detail(request, dossier, *, message_errors=(), message_body: str = "", status: int = 200):
    is_applicant = dossier.applicant_id == request.user.pk
    events = dossier.events.select_related("actor")
    if is_applicant:
        events = events.filter(public=True)
    open_request = None
    if dossier.status == S.SUPPLEMENT_REQUESTED:
        open_request = dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-round").first()
    rating = Rating.objects.filter(dossier=dossier).first()
    allowed = dossier_actions(dossier=dossier, user=request.user).applicant
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            # "pay" is offered only while nothing is paid: then there is no receipt to look for.
            "paid_payment": None if "pay" in allowed else dossier.payments.filter(status="paid").first(),
            "sandbox_enabled": settings.PAYMENT_SANDBOX_ENABLED,
            "can_pay": "pay" in allowed,
            "dossier": dossier,
            "version": dossier.procedure_version,
            "events": events,
            "whole_numbers": is_applicant or sees_whole_numbers(request.user, dossier),
            "attachments": dossier.attachments.filter(message__isnull=True).select_related("requirement"),
            **_thread_context(request, dossier, message_errors=message_errors, message_body=message_body),
            "answers": declared_answers(dossier.procedure_version.form_schema, dossier.form_data),
            "is_applicant": is_applicant,
            "supplement_request": open_request,
            "rating": rating,
            "can_withdraw": "withdraw" in allowed,
            "can_rate": "rate" in allowed,
            "has_form01": dossier.received_at is not None,
            "documents": services.available_documents(dossier, staff=not is_applicant),
            "lookup_url": settings.PORTAL_BASE_URL.rstrip("/") + f"/tc/{dossier.code}",
            "EventKind": EventKind,
        },
        status=status,
    )


def _thread_context(request, dossier, *, message_errors=(), message_body: str = "") -> dict:
    """The message thread of a dossier page; opening the page marks the other side's messages read."""
    side = messaging.message_side(request.user, dossier)
    if side is None or not dossier.code:
        return {"side": None}
    return {
        "side": side,
        "thread": messaging.dossier_thread_open(dossier=dossier, side=side),
        "message_errors": message_errors,
        "message_body": message_body,
    }


def validation_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for field_messages in error.message_dict.values() for message in field_messages]
    return list(error.messages)


@login_required
@require_http_methods(["POST"])
def message_send(request, code: str):
    """Send a message on the dossier's thread (the applicant, or an officer who can read it)."""
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    if dossier.applicant_id != request.user.pk:  # officers write from their desk (officer_views)
        raise Http404
    body = request.POST.get("body", "")
    try:
        messaging.dossier_message_send(
            dossier=dossier, author=request.user, body=body, uploads=request.FILES.getlist("files")
        )
    except ValidationError as error:
        errors = validation_messages(error)
        return _render_detail(request, dossier, message_errors=errors, message_body=body[:10000], status=400)
    messages.success(request, _("Your message was sent."))
    return redirect(reverse("dossiers:detail", args=[dossier.code]) + "#messages")


def _still_scanning(request, item):
    """A file the virus scanner has not checked yet is opened by nobody, staff or applicant."""
    if item.scan_status != ScanStatus.PENDING:
        return None
    return render(request, "dossiers/file_pending.html", {"name": item.name}, status=403)


def _log_read(request, attachment, how: str) -> None:
    read_log.info(
        "attachment %s: user=%s dossier=%s attachment=%s name=%r from=%s",
        how,
        request.user.pk,
        attachment.dossier.code or attachment.dossier.public_id,
        attachment.public_id,
        attachment.name,
        client_address(request),
    )


@login_required
def attachment_download(request, public_id):
    attachment = _get_or_404(selectors.attachment_for, user=request.user, public_id=public_id)
    if not attachment.file:  # destroyed at the end of the dossier's retention (retention app)
        raise Http404
    if refused := _still_scanning(request, attachment):
        return refused
    _log_read(request, attachment, "download")
    dossier_access_record(user=request.user, dossier=attachment.dossier, what=What.ATTACHMENT, attachment=attachment)
    return private_file_response(attachment.file, filename=attachment.name, content_type=attachment.content_type)


@login_required
def attachment_inline(request, public_id):
    """The same file, shown in the browser (the desk's preview panel) instead of downloaded: only a
    PDF, JPEG or PNG the virus scanner checked clean; anything else stays download-only."""
    attachment = _get_or_404(selectors.attachment_for, user=request.user, public_id=public_id)
    if not attachment.file:  # destroyed at the end of the dossier's retention (retention app)
        raise Http404
    if refused := _still_scanning(request, attachment):
        return refused
    if not attachment.previewable:
        return render(request, "dossiers/file_no_preview.html", {"attachment": attachment}, status=403)
    _log_read(request, attachment, "preview")
    dossier_access_record(user=request.user, dossier=attachment.dossier, what=What.ATTACHMENT, attachment=attachment)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=False, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Framed by the desk page of this portal only (DENY stays everywhere else, refusals included);
    # the browser's PDF viewer is the one object it may load.
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = {"frame-ancestors": [SELF], "object-src": [SELF]}
    return response


@login_required
def stored_download(request, public_id):
    document = selectors.stored_documents(request.user).filter(public_id=public_id).first()
    if document is None:
        raise Http404
    if refused := _still_scanning(request, document):
        return refused
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.name, content_type=document.content_type
    )


@login_required
def document_download(request, code: str, kind: str = DossierDocument.Kind.FORM01):
    """A form or the result of a dossier as PDF, for its applicant or the agencies' staff."""
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    staff = dossier.applicant_id != request.user.pk
    if kind not in {d["kind"] for d in services.available_documents(dossier, staff=staff)}:
        raise Http404
    document = dossier_document_or_later(dossier, kind, base_url=settings.PORTAL_BASE_URL)
    if document is None:
        messages.warning(request, DOCUMENT_LATER)
        return redirect("dossiers:desk" if staff else "dossiers:detail", code=dossier.code)
    if not document.file:  # destroyed at the end of the dossier's retention (retention app)
        raise Http404
    dossier_access_record(user=request.user, dossier=dossier, what=What.DOCUMENT, document=document)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=f"{dossier.code}-{kind}.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone can check that a PDF is a result this portal issued, unaltered, with a valid signature."""
    outcome = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size > settings.ATTACHMENT_MAX_FILE_SIZE:
            outcome = {
                "error": _("Choose the PDF file to check (at most %(mb)s MB).")
                % {"mb": settings.ATTACHMENT_MAX_FILE_SIZE // (1024 * 1024)}
            }
        else:
            outcome = services.result_verify(upload.read())
    return render(request, "dossiers/verify.html", {"outcome": outcome}, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def supplement_respond(request, code: str):
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    if "supplement_response" not in dossier_actions(dossier=dossier, user=request.user).applicant:
        raise Http404
    supplement = dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-round").first()
    # Bound on every POST: files alone, with no note, leave request.POST empty.
    form = SupplementResponseForm(request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        uploads = slot_uploads(request.FILES)
        try:
            services.dossier_resubmit(
                dossier=dossier, actor=request.user, uploads=uploads, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            errors = error.messages
        else:
            if dossier.received_at is None:  # asked at reception: the desk checks it again first
                messages.success(request, _("Thank you. Your supplement was sent; the one-stop desk will check it."))
            else:
                messages.success(request, _("Thank you. Your supplement was sent; the processing time starts again."))
            return redirect("dossiers:detail", code=dossier.code)
    return render(
        request,
        "dossiers/supplement_form.html",
        {
            "dossier": dossier,
            "supplement": supplement,
            "form": form,
            "errors": errors,
            # One upload slot per item the desk asked for (files-item-<n>), then "other documents".
            "items": [{"slot": f"item-{n}", **item} for n, item in enumerate(supplement.items if supplement else [])],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, code: str):
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    if dossier.applicant_id != request.user.pk:
        raise Http404
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_request_withdrawal(dossier=dossier, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your request to withdraw was recorded; the desk will confirm it."))
            return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/withdraw_form.html", {"dossier": dossier, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, code: str):
    dossier = _get_or_404(selectors.dossier_for, user=request.user, code=code)
    if dossier.applicant_id != request.user.pk:
        raise Http404
    rating = Rating.objects.filter(dossier=dossier).first()
    errors = []
    if request.method == "POST":
        try:
            services.dossier_rate(
                dossier=dossier,
                actor=request.user,
                scores={c: request.POST.get(c, "") for c in services.RATING_CRITERIA},
                comment=request.POST.get("comment", ""),
            )
        except (ValidationError, ValueError, KeyError) as error:
            errors = getattr(error, "messages", [_("Choose a score for each question.")])
        else:
            messages.success(request, _("Thank you for rating this service."))
            return redirect("dossiers:detail", code=dossier.code)
    criteria = [
        (
            name,
            Rating._meta.get_field(name).verbose_name,
            request.POST.get(name, str(getattr(rating, name)) if rating else ""),
            Rating.scale_for(name),
        )
        for name in services.RATING_CRITERIA
    ]
    return render(
        request,
        "dossiers/rate_form.html",
        {
            "dossier": dossier,
            "rating": rating,
            "criteria": criteria,
            "errors": errors,
            "comment": request.POST.get("comment", rating.comment if rating else ""),
        },
    )


@login_required
def document_store(request):
    return render(request, "dossiers/document_store.html", {"documents": selectors.stored_documents(request.user)})


def _stored_or_404(request, public_id):
    try:
        return selectors.stored_documents(request.user).get(public_id=public_id)
    except (StoredDocument.DoesNotExist, ValidationError):
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request, public_id):
    """Delete a draft after a confirmation page (only a draft, only one's own: else 404)."""
    dossier = _get_or_404(selectors.draft_for, user=request.user, public_id=public_id)
    if request.method == "POST":
        try:
            services.dossier_draft_delete(dossier=dossier, actor=request.user)
        except DossierConflict as error:
            messages.error(request, " ".join(error.messages))
            return redirect("dossiers:list")
        messages.success(request, _("The draft was deleted."))
        return redirect("dossiers:list")
    return render(
        request,
        "dossiers/draft_delete.html",
        {"dossier": dossier, "version": dossier.procedure_version, "attachments": dossier.attachments.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def stored_edit(request, public_id):
    """Rename a document of the store, or say which document it is."""
    document = _stored_or_404(request, public_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.stored_document_update(
                owner=request.user,
                stored_id=document.public_id,
                name=request.POST.get("name", "")[:255],
                document_type=request.POST.get("document_type", "")[:600],
            )
            messages.success(request, _("The document was saved."))
            return redirect("dossiers:store")
        except ValidationError as error:
            errors, status = error.message_dict, 400
    return render(
        request,
        "dossiers/stored_edit.html",
        {
            "document": document,
            "name": request.POST.get("name", document.name),
            "document_type": request.POST.get("document_type", document.document_type),
            "errors": errors,
            "known_types": selectors.document_type_names(request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stored_delete(request, public_id):
    """Delete a document of the store after a confirmation page (refused while a dossier uses it)."""
    document = _stored_or_404(request, public_id)
    if request.method == "POST":
        try:
            services.stored_document_delete(owner=request.user, stored_id=document.public_id)
        except DossierConflict as error:
            messages.error(request, " ".join(error.messages))
            return redirect("dossiers:store")
        messages.success(request, _("The document was deleted from your store."))
        return redirect("dossiers:store")
    return render(
        request,
        "dossiers/stored_delete.html",
        {"document": document, "used_by": services.stored_document_in_use(document)},
    )


LOOKUPS_PER_MINUTE = 20


def _rate_limited(request) -> bool:
    """At most LOOKUPS_PER_MINUTE lookups per IP a minute, so codes cannot be enumerated."""
    key = f"lookup:{client_address(request)}"
    cache.add(key, 0, 60)
    try:
        return cache.incr(key) > LOOKUPS_PER_MINUTE
    except ValueError:
        return False


def lookup(request, code: str | None = None):
    """Public status lookup by dossier code: procedure, agency, status and dates only."""
    form = LookupForm(request.GET if "code" in request.GET else None)
    code = code or (form.cleaned_data["code"] if form.is_bound and form.is_valid() else None)
    result, status = None, 200
    if code:
        if _rate_limited(request):
            return render(request, "dossiers/lookup.html", {"form": form, "code": code, "limited": True}, status=429)
        result = selectors.public_lookup(code=code)
        status = 200 if result else 404
    return render(request, "dossiers/lookup.html", {"form": form, "code": code, "result": result}, status=status)
