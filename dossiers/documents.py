"""The paper forms of a dossier (Circular 01/2018), rendered through portal.pdf."""

import datetime as dt
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.pdf import qr_svg, render_to_pdf, render_to_pdf_on_one_page
from portal.signing import TimestampUnavailable, sign_pdf
from portal.template_sandbox import sandbox_render
from portal.vn_dates import long_date

from .models import Dossier, DossierDocument

logger = logging.getLogger("dossiers.documents")
K = DossierDocument.Kind
FORM_TEMPLATES = {
    K.FORM01: "dossiers/forms/form01.html",
    K.FORM02: "dossiers/forms/form02.html",
    K.FORM03: "dossiers/forms/form03.html",
    K.FORM04: "dossiers/forms/form04.html",
    K.FORM05: "dossiers/forms/form05.html",
    K.RESULT: "dossiers/forms/result.html",
}
DOCUMENT_LATER = _(
    "The signing service did not answer, so this document is being prepared. Please try again in a few minutes."
)
# Forms 02 and 05 change as the dossier moves (a new request, a new hand-off): rendered on demand.
LIVE_KINDS = {K.FORM02, K.FORM05}


def lookup_url(dossier: Dossier, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("dossiers:lookup_short", kwargs={"code": dossier.code})


def form_context(dossier: Dossier, base_url: str) -> dict:
    from .constants import EventKind
    from .forms05 import handoffs

    url = lookup_url(dossier, base_url)
    events = list(dossier.events.select_related("actor", "agency"))
    attachments = list(dossier.attachments.select_related("requirement"))
    last = {event.kind: event for event in events}
    # The reception checklist the desk ticked (none on a dossier received before it existed).
    received = last.get(EventKind.RECEIVED)
    ticked = {row["requirement"]: row["received"] for row in (received.data.get("checklist") or [])} if received else {}
    documents = list(dossier.procedure_version.documents.all())
    for doc in documents:
        doc.received = ticked.get(doc.pk)
    supplement = dossier.supplement_requests.order_by("-round").first()
    by_id = {doc.pk: doc for doc in documents}
    supplement_items = [
        {**item, "document": by_id.get(item.get("requirement"))} for item in (supplement.items if supplement else [])
    ]
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "attachments": attachments,
        "other_attachments": [a for a in attachments if a.requirement_id is None],
        "documents": documents,
        "has_checklist": bool(ticked),
        "lookup_url": url,
        # Where the applicant answers a supplement request (after signing in).
        "supplement_url": base_url.rstrip("/") + reverse("dossiers:supplement", kwargs={"code": dossier.code}),
        "qr": qr_svg(url),
        "printed_at": timezone.localtime(),
        "supplement": supplement,
        "supplement_items": supplement_items,
        "refusal": last.get(EventKind.REFUSED) or last.get(EventKind.RECEPTION_REFUSED),
        "extension": last.get(EventKind.EXTENDED),
        "approval": last.get(EventKind.APPROVED),
        "handoffs": handoffs(events),
        "verify_url": base_url.rstrip("/") + reverse("dossiers:verify"),
    }


def form_rows(dossier: Dossier) -> list[tuple[str, object]]:
    """The application form as (label, value) rows in the schema's order; dates in words."""
    data = dossier.form_data or {}
    rows = []
    for spec in dossier.procedure_version.form_schema or []:
        if spec.get("name") not in data or data[spec["name"]] in (None, ""):
            continue
        value = data[spec["name"]]
        rows.append((spec.get("label") or spec["name"], long_date(value) if spec.get("type") == "date" else value))
    return rows


def _plain_form(dossier: Dossier) -> dict:
    """Form values for an admin's template; a date field as a date, so it prints in words."""
    types = {spec.get("name"): spec.get("type") for spec in dossier.procedure_version.form_schema or []}
    form = {}
    for key, value in (dossier.form_data or {}).items():
        if types.get(key) == "date" and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        form[key] = value
    return form


def result_body(dossier: Dossier) -> str:
    """The procedure's own result template, rendered in the sandbox over plain values only: an
    admin's template cannot reach the applicant's account, a password hash or settings."""
    version = dossier.procedure_version
    if not version.result_template:
        return ""
    local = timezone.localtime
    plain_dossier = {
        "code": dossier.code or "",
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "received_at": local(dossier.received_at) if dossier.received_at else None,
        "due_at": local(dossier.due_at) if dossier.due_at else None,
        "agency": dossier.competent_agency.name,
        "procedure": version.name,
    }
    plain_version = {"name": version.name, "code": version.procedure.code, "legal_basis": version.legal_basis}
    try:
        return sandbox_render(
            version.result_template,
            {
                "dossier": plain_dossier,
                "form": _plain_form(dossier),
                "today": timezone.localdate(),
                "version": plain_version,
            },
        )
    except TemplateSyntaxError:
        # Saved before the sandbox: the standard result template is used instead.
        logger.warning("result template of %s is not allowed in the sandbox; standard result used", version)
        return ""


def _result_unsigned(dossier: Dossier, context: dict) -> bytes:
    context = {**context, "custom_body": result_body(dossier), "form_rows": form_rows(dossier)}
    return render_to_pdf(FORM_TEMPLATES[K.RESULT], context)


def result_preview(dossier: Dossier, *, base_url: str) -> bytes:
    """What the result will be, for the leader to read before approving and signing: rendered
    like the result but UNSIGNED, marked "BẢN XEM TRƯỚC — CHƯA KÝ" on every page, and never
    stored (the result itself is rendered and signed once, after issue_result)."""
    with translation.override("vi"):
        return _result_unsigned(dossier, {**form_context(dossier, base_url), "preview": True})


def render_result(dossier: Dossier, context: dict) -> bytes:
    """The result: the procedure's own template (or the standard one), as a PDF signed with the
    certificate of the agency that decides (the one the paper names)."""
    pdf = _result_unsigned(dossier, context)
    agency = dossier.competent_agency
    return sign_pdf(
        pdf,
        reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
        location=agency.name,
        agency_code=agency.code,
        agency_name=agency.name,
    )


def render_form(kind: str, dossier: Dossier, context: dict) -> bytes:
    if kind == K.RESULT:
        return render_result(dossier, context)
    if kind == K.FORM01:  # the applicant's one sheet: its signatures never spill onto a page of their own
        return render_to_pdf_on_one_page(FORM_TEMPLATES[kind], context)
    return render_to_pdf(FORM_TEMPLATES[kind], context)


def document_path(dossier: Dossier, kind: str) -> str:
    """One fixed place per form: a retried render overwrites what a crashed one left behind."""
    return f"documents/{dossier.public_id}/{kind}.pdf"


def dossier_document(dossier: Dossier, kind: str, *, base_url: str) -> DossierDocument:
    """The stored PDF of a form, rendered the first time it is needed and never again.

    Storing happens under the dossier's row lock, so two workers (or a worker and a download)
    never store it twice, and a render killed before its row was committed leaves a file that
    the next attempt simply replaces.
    """
    existing = DossierDocument.objects.filter(dossier=dossier, kind=kind).first()
    if existing is not None and kind not in LIVE_KINDS:
        return existing
    # Render outside the lock (it takes ~100 ms), store under it.
    with translation.override("vi"):  # the legal forms are Vietnamese, whoever asks for them
        context = form_context(dossier, base_url)
        pdf = render_form(kind, dossier, context)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        existing = DossierDocument.objects.filter(dossier=dossier, kind=kind).first()
        if existing is not None and kind not in LIVE_KINDS:
            return existing  # another worker stored it first: keep theirs
        document = existing or DossierDocument(dossier=dossier, kind=kind)
        storage = document.file.storage
        path = document_path(dossier, kind)
        if storage.exists(path):  # left by an attempt that died before its row was committed
            storage.delete(path)
        document.file.name = storage.save(path, ContentFile(pdf))
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.save(update_fields=["file", "sha256"] if existing else None)  # a live form is re-rendered
        if kind == K.RESULT and existing is None:
            _keep_result_in_store(dossier, document)
    return document


def dossier_document_or_later(dossier: Dossier, kind: str, *, base_url: str) -> DossierDocument | None:
    """The document, or None when the time-stamp authority that dates its signature does not
    answer: the worker renders it again (with retries) and the person is asked to come back, rather
    than shown an error page."""
    try:
        return dossier_document(dossier, kind, base_url=base_url)
    except TimestampUnavailable as error:
        from .tasks import render_dossier_form  # tasks imports this module

        logger.warning("dossier=%s %s not signed now (%s): rendering again in the worker", dossier.code, kind, error)
        transaction.on_commit(lambda: render_dossier_form.delay(dossier.pk, kind))
        return None


def _keep_result_in_store(dossier: Dossier, document: DossierDocument) -> None:
    """An electronic result goes into the citizen's document store, like their uploads."""
    from .constants import DocumentSource
    from .models import StoredDocument

    if dossier.applicant_id is None:
        return
    StoredDocument.objects.get_or_create(
        owner_id=dossier.applicant_id,
        sha256=document.sha256,
        document_type=f"Kết quả: {dossier.procedure_version.name}",
        defaults={
            "name": f"{dossier.code}-ket-qua.pdf",
            "file": document.file.name,
            "content_type": "application/pdf",
            "size": document.file.size,
            "source": DocumentSource.RESULT,
            "source_dossier": dossier,
        },
    )
