from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from . import selectors
from .calendar import expected_result_at
from .constants import VersionStatus
from .forms import CatalogueFilterForm
from .models import DocumentRequirement, ProcedureVersion

PAGE_SIZE = 20


def home(request):
    """The portal's front page: search the catalogue, browse by field."""
    return render(request, "home.html", {"fields": selectors.fields_with_counts()})


def procedure_list(request):
    """The public catalogue: search, filters and pages."""
    form = CatalogueFilterForm(request.GET)
    versions = selectors.catalogue_search(**form.search_arguments())
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.get("q", "")
    # "Did you mean": on the first page of a search that corrected a typo or found nothing.
    suggestions = None
    if query.strip() and page.number == 1:
        suggestions = selectors.catalogue_suggestions(
            query=form.search_arguments()["query"], found=page.paginator.count
        )
    return render(
        request,
        "procedures/procedure_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "query": query,
            "suggestions": suggestions,
        },
    )


def procedure_detail(request, code: str):
    """One procedure as citizens see it, with the button to submit online."""
    try:
        version = selectors.procedure_detail(code=code)
    except ProcedureVersion.DoesNotExist:
        raise Http404("No published procedure with this code.") from None
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "version": version,
            "desks": selectors.receiving_desks(version=version),
            "submit_url": _submit_url(code),
            "appointment_url": _appointment_url(code),
            "expected_result_at": expected_result_at(version.processing_days),
        },
    )


# What a blank form is sent as: a known document type, or plain bytes (never HTML or a script).
TEMPLATE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def document_template(request, pk: int):
    """A blank form (template) of a required document of a published procedure: a public file
    of the default storage (not served under MEDIA_URL), always downloaded, never rendered."""
    document = DocumentRequirement.objects.filter(pk=pk, version__status=VersionStatus.PUBLISHED).first()
    if document is None or not document.template:
        raise Http404
    try:
        handle = document.template.open("rb")
    except OSError:
        raise Http404 from None  # the row names a file the storage no longer has
    filename = document.template.name.rsplit("/", 1)[-1]
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=TEMPLATE_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _appointment_url(code: str) -> str | None:
    """Where "Book an appointment" leads, once the appointments app provides it."""
    try:
        return reverse("appointments:book", kwargs={"code": code})
    except NoReverseMatch:
        return None


def _submit_url(code: str) -> str | None:
    """Where the online-submission button leads, once the dossiers app provides it."""
    try:
        return reverse("dossiers:start", kwargs={"code": code})
    except NoReverseMatch:
        return None
