"""The officers' side: queues, the dossier desk with its transitions, counter intake, the register."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.memberships import memberships
from portal.replica import replica_reads
from procedures import selectors as catalogue
from procedures.models import ProcedureVersion

from . import hooks, messaging, selectors, services
from .access import What, dossier_access_record, sees_whole_numbers
from .actions import action_form, dossier_act, dossier_actions, may_make_somewhere
from .constants import DossierStatus
from .documents import result_preview
from .exceptions import DossierConflict
from .models import Dossier, OfficerFile
from .register import register_response
from .transitions import TRANSITIONS
from .views import validation_messages


def staff_required(view):
    """Only people with a staff role at some agency; others get a plain 404."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not memberships(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@staff_required
def queue(request):
    """The officer's queue: due first, views with counts, filters, search, bulk assignment."""
    view = request.GET.get("view") or selectors.default_queue_view(request.user)
    views = selectors.queue_views(request.user)
    if view not in views:
        view = "all"
    qs, counts = selectors.officer_queue(
        request.user,
        view=view,
        status=request.GET.get("status", ""),
        procedure=request.GET.get("procedure", ""),
        field=request.GET.get("field", ""),
        q=request.GET.get("q", "")[:100],
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    for dossier in page.object_list:  # the consulted view's answer due date, read as a datetime
        due = getattr(dossier, "consultation_due_at", None)
        if isinstance(due, str):
            dossier.consultation_due_at = datetime.fromisoformat(due)
    return render(
        request,
        "dossiers/officer/queue.html",
        {
            "page_obj": page,
            "counts": counts,
            "view": view,
            "views": views,
            "statuses": DossierStatus.choices,
            "filters": request.GET,
            "can_assign": may_make_somewhere(request.user, "assign"),
            "specialists": selectors.specialists_for(request.user),
        },
    )


def _officer_dossier(request, code):
    try:
        return (
            selectors.officer_scope(request.user)
            .select_related(
                "procedure_version__procedure",
                "procedure_version__agency",
                "receiving_agency",
                "competent_agency",
                "assigned_to",
                "consulted_agency",
            )
            .get(code=code)
        )
    except Dossier.DoesNotExist:
        raise Http404 from None


def _render_desk(request, dossier, *, bound=None, status=200, message_errors=(), message_body=""):
    allowed = dossier_actions(dossier=dossier, user=request.user)
    actions = [
        {
            "name": n,
            "label": TRANSITIONS[n].label,
            "form": bound[1] if bound and bound[0] == n else _unbound_form(n, dossier, bound),
        }
        for n in allowed.transitions
    ]
    return render(
        request,
        "dossiers/officer/detail.html",
        {
            "dossier": dossier,
            "version": dossier.procedure_version,
            "actions": actions,
            "whole_numbers": sees_whole_numbers(request.user, dossier),
            "events": dossier.events.select_related("actor", "agency"),
            "attachments": dossier.attachments.filter(message__isnull=True).select_related("requirement"),
            "side": "staff",
            "thread": messaging.dossier_thread_open(dossier=dossier, side="staff"),
            "message_errors": message_errors,
            "message_body": message_body,
            # Internal files (appraisal reports, consulted agencies' answers): officers only.
            "officer_files": dossier.officer_files.select_related("uploaded_by", "agency"),
            "can_preview_result": dossier.status in PREVIEWABLE,
            "consultation": selectors.open_consultation(dossier),
            "steps": dossier.procedure_version.steps.all(),
            # Reception refused for unticked documents: the supplement request is the way on.
            "supplement_proposed": bool(bound and bound[0] == "receive" and bound[1] is not None and bound[1].errors),
            "supplements": dossier.supplement_requests.all(),
            "documents": services.available_documents(dossier, staff=True),
            "can_record_payment": allowed.record_payment,
            "payments": dossier.payments.all(),
            # Money received but not owed, for the desk to refund (payments' model, by its relation).
            "overpayments": dossier.overpayments.select_related("payment"),
            **hooks.desk_context(dossier=dossier, user=request.user),  # e.g. payments' fee waiver grounds
        },
        status=status,
    )


def _unbound_form(name, dossier, bound):
    """A transition's empty form; after a refused reception, the supplement request proposes the
    documents the desk left unticked (and opens: see detail.html)."""
    if name == "request_supplement" and bound and bound[0] == "receive" and bound[1] is not None:
        return TRANSITIONS[name].form(
            dossier=dossier, auto_id="id_request_supplement-%s", proposed_from=bound[1].data.getlist("documents")
        )
    return action_form(name, dossier)


@staff_required
def desk(request, code):
    """One dossier as an officer sees it, with the transitions this officer can make now; opening
    it marks the applicant's messages read (messaging.dossier_thread_open)."""
    dossier = _officer_dossier(request, code)
    dossier_access_record(user=request.user, dossier=dossier, what=What.PAGE)
    return _render_desk(request, dossier)


@staff_required
@require_POST
def message_send(request, code):
    """An officer's message to the applicant on the dossier's thread."""
    dossier = _officer_dossier(request, code)
    body = request.POST.get("body", "")
    try:
        messaging.dossier_message_send(
            dossier=dossier, author=request.user, body=body, uploads=request.FILES.getlist("files")
        )
    except ValidationError as error:
        return _render_desk(
            request, dossier, status=400, message_errors=validation_messages(error), message_body=body[:10000]
        )
    messages.success(request, _("Your message was sent."))
    return redirect(reverse("dossiers:desk", args=[dossier.code]) + "#messages")


# Before the result is signed (issue_result signs it): the leader reads what they will sign.
PREVIEWABLE = (DossierStatus.AWAITING_APPROVAL, DossierStatus.APPROVED)


@staff_required
def result_preview_pdf(request, code):
    """The result as it will read, UNSIGNED and marked as a preview; shown inline, never stored."""
    dossier = _officer_dossier(request, code)
    if dossier.status not in PREVIEWABLE:
        raise Http404
    pdf = result_preview(dossier, base_url=settings.PORTAL_BASE_URL)
    dossier_access_record(user=request.user, dossier=dossier, what=What.PDF)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-xem-truoc.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def officer_file(request, code, public_id):
    """An appraisal report or a consulted agency's answer, for the officers who may read the dossier."""
    dossier = _officer_dossier(request, code)
    try:
        stored = dossier.officer_files.get(public_id=public_id)
    except OfficerFile.DoesNotExist:
        raise Http404 from None
    if not stored.file:  # destroyed at the end of the dossier's retention (retention app)
        raise Http404
    return FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.name, content_type=stored.content_type
    )


@staff_required
@require_POST
def act(request, code, name):
    """Make one transition; 409 if the dossier changed meanwhile, 403 if not this officer's to make."""
    dossier = _officer_dossier(request, code)
    try:
        dossier_act(
            dossier=dossier,
            name=name,
            actor=request.user,
            data=request.POST,
            files=request.FILES,
            expected_status=request.POST.get("expected_status") or None,
        )
    except DossierConflict as conflict:
        messages.error(request, str(conflict))
        return _render_desk(request, _officer_dossier(request, code), status=409)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return _render_desk(request, dossier, status=403)
    except ValidationError as error:
        form = action_form(name, dossier, request.POST, request.FILES) if name in TRANSITIONS else None
        if form is not None and form.is_valid():  # the parameters were fine: the rule refused them
            for field, errors in (
                error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            ):
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        messages.error(request, _("The action was not done: see the form."))
        return _render_desk(request, dossier, bound=(name, form), status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[name].label})
    return redirect("dossiers:desk", code=code)


@staff_required
@require_POST
def bulk_assign(request):
    """Assign several dossiers to one specialist; each is checked like a single assignment."""
    done, failed = 0, []
    for code in request.POST.getlist("codes")[:200]:
        dossier = selectors.officer_scope(request.user).select_related("procedure_version").filter(code=code).first()
        if dossier is None:
            continue
        try:
            dossier_act(dossier=dossier, name="assign", actor=request.user, data=request.POST)
            done += 1
        except (PermissionDenied, ValidationError) as error:  # DossierConflict is a ValidationError
            failed.append(f"{code}: {' '.join(getattr(error, 'messages', [str(error)]))}")
    if done:
        messages.success(request, _("%(count)d dossier(s) assigned.") % {"count": done})
    for failure in failed[:10]:
        messages.error(request, failure)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "dossiers:queue"
    return redirect(back or "dossiers:queue")


def desk_required(view):
    """Only the one-stop desk takes dossiers in; other officers get a 403 page saying so."""

    @staff_required
    def wrapper(request, *args, **kwargs):
        if not selectors.intake_desks(request.user):
            raise PermissionDenied(_("Only one-stop desk officers take dossiers in at the counter."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@desk_required
@require_http_methods(["GET", "POST"])
def counter_intake(request, code=None):
    """File a dossier for a citizen who walks in: pick the procedure, then the same form as online."""
    if code is None:
        query = request.GET.get("q", "")
        versions = selectors.intake_procedures(request.user, query=query)[:30] if query else []
        return render(request, "dossiers/officer/intake.html", {"query": query, "versions": versions})
    try:
        version = catalogue.procedure_detail(code=code)
    except ProcedureVersion.DoesNotExist:
        raise Http404 from None
    # Refused (another agency's procedure): the 403 page says where it is received; nothing is created.
    draft = services.dossier_counter_draft(officer=request.user, version=version)
    return redirect("dossiers:draft", public_id=draft.public_id)


@staff_required
@replica_reads
def register(request):
    """Form 06, the register of dossiers of an agency for a year, as CSV or XLSX."""
    held = {agency for agency, _ in memberships(request.user)}
    try:
        agency_id = int(request.GET.get("agency") or min(held))
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if agency_id not in held:
        raise Http404
    return register_response(agency_id=agency_id, year=year, fmt=request.GET.get("format", "xlsx"))
