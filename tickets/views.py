"""The kiosk (public, in the hall), the officers' caller page, the hall display and its feed, and
the staff stats page. Each page parses input and calls one service or selector."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.client import client_address
from portal.memberships import memberships
from procedures.models import Agency

from . import selectors, services
from .models import AT_COUNTER, Counter, CounterGroup, Ticket

_SALT = "tickets.kiosk"


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise Http404
    return agency


def _kiosk_limited(request) -> bool:
    """At most TICKET_KIOSK_PER_MINUTE tickets a minute from one client address."""
    key = f"tickets-kiosk:{client_address(request)}"
    cache.add(key, 0, 60)
    try:
        return cache.incr(key) > settings.TICKET_KIOSK_PER_MINUTE
    except ValueError:
        return False


def _kiosk_page(request, agency, *, error: str = "", code: str = "", status: int = 200):
    groups = CounterGroup.objects.filter(agency=agency, is_active=True).order_by("position", "letter")
    return render(
        request,
        "tickets/kiosk.html",
        {"agency": agency, "groups": groups, "error": error, "code": code},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request, agency: str):
    """Take a ticket for a group, or check in an appointment by its code (typed or scanned)."""
    agency = _agency(agency)
    if request.method == "GET":
        return _kiosk_page(request, agency)
    if _kiosk_limited(request):
        return _kiosk_page(
            request, agency, error=_("Too many tickets from this kiosk. Please wait a minute."), status=429
        )
    try:
        if "group" in request.POST:
            group = get_object_or_404(CounterGroup, agency=agency, code=request.POST["group"], is_active=True)
            ticket = services.ticket_issue(group=group)
        else:
            ticket = services.ticket_check_in(agency=agency, code=request.POST.get("code", "")[:64])
    except services.TicketRefused as error:
        return _kiosk_page(
            request, agency, error=" ".join(error.messages), code=request.POST.get("code", "")[:64], status=400
        )
    token = signing.dumps(ticket.pk, salt=_SALT)
    return redirect("tickets:kiosk_ticket", agency=agency.code, token=token)


@never_cache
def kiosk_ticket(request, agency: str, token: str):
    """The ticket just taken: number, group, people ahead; printable."""
    agency = _agency(agency)
    try:
        pk = signing.loads(token, salt=_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    ticket = get_object_or_404(Ticket.objects.select_related("group", "appointment"), pk=pk, agency=agency)
    return render(
        request,
        "tickets/ticket.html",
        {"agency": agency, "ticket": ticket, "ahead": selectors.people_ahead(ticket)},
    )


def display(request, agency: str):
    """The hall screen: the numbers being called, live."""
    agency = _agency(agency)
    return render(
        request,
        "tickets/display.html",
        {
            "agency": agency,
            "feed": selectors.display_feed(agency.pk),
            "poll_ms": settings.TICKET_DISPLAY_POLL_SECONDS * 1000,
        },
    )


@never_cache
def display_feed(request, agency: str):
    """The display's JSON: {"called": [{id, number, counter, announced_at, at_counter}], "waiting": [...]}."""
    agency = _agency(agency)
    return JsonResponse(selectors.display_feed(agency.pk))


def _desk_counters(user):
    ids = services.desk_agency_ids(user)
    if not ids:
        raise Http404
    return list(
        Counter.objects.filter(agency_id__in=ids, is_active=True)
        .select_related("agency")
        .order_by("agency__code", "number")
    )


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()

    def day(name):
        try:
            return date.fromisoformat(request.GET.get(name) or "")
        except ValueError:
            return today

    start, end = day("from"), day("to")
    return (start, end) if start <= end else (end, start)


@login_required
def caller(request):
    """A desk officer's counter: call next, call again, serve, skip, transfer, done."""
    counters = _desk_counters(request.user)
    counter = next((c for c in counters if str(c.pk) == request.GET.get("counter")), counters[0] if counters else None)
    context = {"counters": counters, "counter": counter}
    if counter is not None:
        today = timezone.localdate()
        current = (
            Ticket.objects.filter(counter=counter, day=today, state__in=AT_COUNTER)
            .select_related("group", "appointment")
            .order_by("-announced_at")
            .first()
        )
        context.update(
            {
                "current": current,
                "waiting": selectors.waiting_counts(counter.agency_id),
                "serves": set(counter.groups.values_list("pk", flat=True)),
                "stats": selectors.ticket_stats(agency_ids=[counter.agency_id], start=today, end=today),
            }
        )
    return render(request, "tickets/caller.html", context)


_ACTIONS = {
    "recall": services.ticket_recall,
    "serve": services.ticket_serve,
    "skip": services.ticket_skip,
    "finish": services.ticket_finish,
}


@login_required
@require_POST
def caller_act(request, counter: int):
    counter = next((c for c in _desk_counters(request.user) if c.pk == counter), None)
    if counter is None:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "next":
            ticket = services.ticket_call_next(officer=request.user, counter=counter)
            if ticket is None:
                messages.info(request, _("Nobody is waiting."))
            else:
                messages.success(request, _("Called %(label)s.") % {"label": ticket.label})
        else:
            ticket = Ticket.objects.filter(pk=request.POST.get("ticket") or 0, agency=counter.agency).first()
            if ticket is None or action not in (*_ACTIONS, "transfer"):
                raise Http404
            if action == "transfer":
                group = CounterGroup.objects.filter(agency=counter.agency, pk=request.POST.get("group") or 0).first()
                if group is None:
                    raise services.TicketRefused(_("Choose an open group of this desk."), code="invalid")
                services.ticket_transfer(officer=request.user, counter=counter, ticket=ticket, group=group)
                messages.success(request, _("%(label)s moved to %(group)s.") % {"label": ticket.label, "group": group})
            else:
                _ACTIONS[action](officer=request.user, counter=counter, ticket=ticket)
                messages.success(request, _("%(label)s recorded.") % {"label": ticket.label})
    except (services.TicketRefused, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Invalid request.")])))
    return redirect(f"{reverse('tickets:caller')}?counter={counter.pk}")


@login_required
def stats(request):
    """Waiting and service times per desk over a period (default: today)."""
    ids = {agency for agency, _role in memberships(request.user)}
    if not ids:
        raise Http404
    agencies = list(Agency.objects.filter(pk__in=ids).order_by("code"))
    start, end = _period(request)
    rows = [
        {"agency": agency, **selectors.ticket_stats(agency_ids=[agency.pk], start=start, end=end)}
        for agency in agencies
    ]
    return render(request, "tickets/stats.html", {"rows": rows, "start": start, "end": end})
