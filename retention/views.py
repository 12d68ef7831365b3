"""The leader's destruction list (/can-bo/luu-tru/huy/): decide per entry or approve in bulk."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from procedures.models import Agency

from . import services
from .constants import CaseState
from .models import DestructionCase, DestructionRecord

OPEN_STATES = [CaseState.LISTED, CaseState.POSTPONED, CaseState.ON_HOLD, CaseState.APPROVED]
PAGE_SIZE = 50


class DecisionForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Keep until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=services.REASON_MAX)


def _leader_agencies(request) -> list[Agency]:
    """The agencies whose list the user decides on; anyone else gets a plain 404."""
    ids = services.leader_agency_ids(request.user)
    if not ids:
        raise Http404
    return list(Agency.objects.filter(pk__in=ids).order_by("code"))


def _case(request, pk: int) -> DestructionCase:
    case = DestructionCase.objects.select_related("dossier").filter(pk=pk).first()
    if case is None or case.agency_id not in services.leader_agency_ids(request.user):
        raise Http404
    return case


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("retention:list"))


@login_required
def destruction_list(request):
    """The destruction list of the leader's agencies, filtered by agency, state and code."""
    agencies = _leader_agencies(request)
    ids = [a.pk for a in agencies]
    chosen = next((a for a in agencies if a.code == request.GET.get("agency")), None)
    state = request.GET.get("state", "")
    code = request.GET.get("q", "").strip()[:48]
    cases = DestructionCase.objects.filter(agency_id__in=[chosen.pk] if chosen else ids).select_related(
        "dossier__procedure_version__procedure", "agency", "decided_by"
    )
    cases = cases.filter(state=state) if state in CaseState.values else cases.filter(state__in=OPEN_STATES)
    if code:
        cases = cases.filter(dossier__code__icontains=code)
    page = Paginator(cases.order_by("retention_ends_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    codes = [a.code for a in ([chosen] if chosen else agencies)]
    records = DestructionRecord.objects.filter(agency_code__in=codes)[:20]
    return render(
        request,
        "retention/list.html",
        {
            "agencies": agencies,
            "agency": chosen,
            "state": state,
            "q": code,
            "states": CaseState,
            "page": page,
            "records": records,
            "form": DecisionForm(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def decide(request, pk: int, action: str):
    """One decision on one entry: approve, postpone (day and reason), hold (reason), release."""
    _leader_agencies(request)
    case = _case(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{case.dossier.code}: {error}")
        return _back(request)
    data = form.cleaned_data
    try:
        if action == "approve":
            services.destruction_approve(case=case, actor=request.user)
            done = _("Destruction of %(code)s approved: its files and personal data are being destroyed.")
        elif action == "postpone":
            services.destruction_postpone(case=case, actor=request.user, until=data["until"], reason=data["reason"])
            done = _("Destruction of %(code)s postponed.")
        elif action == "hold":
            services.destruction_hold(case=case, actor=request.user, reason=data["reason"])
            done = _("%(code)s placed on legal hold.")
        elif action == "release":
            services.destruction_release(case=case, actor=request.user, reason=data["reason"])
            done = _("Legal hold on %(code)s released.")
        else:
            raise Http404
    except services.DestructionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done % {"code": case.dossier.code})
    return _back(request)


@login_required
@require_POST
def bulk_approve(request):
    """Approve the ticked entries; each refusal is reported, the others go ahead."""
    ids = services.leader_agency_ids(request.user)
    if not ids:
        raise Http404
    chosen = [int(pk) for pk in request.POST.getlist("case") if pk.isdigit()][:PAGE_SIZE]
    if not chosen:
        messages.error(request, _("Tick the dossiers to approve first."))
        return _back(request)
    cases = DestructionCase.objects.filter(pk__in=chosen, agency_id__in=ids).order_by("pk")
    approved, problems = services.destruction_approve_many(cases=cases, actor=request.user)
    for problem in problems:
        messages.error(request, problem)
    if approved:
        messages.success(request, _("%(count)s destruction(s) approved.") % {"count": approved})
    return _back(request)
