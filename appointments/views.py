"""Citizens' appointment pages (book, confirmation with QR, my appointments, cancel, move) and
the desk officers' day view (mark kept / no-show). Each calls one service."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.memberships import memberships
from portal.pdf import qr_svg
from procedures.constants import VersionStatus
from procedures.models import Agency, ProcedureVersion

from . import services
from .models import Appointment, AppointmentStatus
from .notifications import checklist


def _open_days(agency: Agency, start: date, count: int = 10) -> list[date]:
    days, day = [], start
    while len(days) < count and day <= start + timedelta(days=settings.APPOINTMENT_DAYS_AHEAD):
        if services.is_open_day(agency, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _version(code: str) -> ProcedureVersion:
    version = (
        ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED)
        .select_related("procedure", "agency")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version


def _picker(request, *, version, appointment=None, error: str = ""):
    agency = version.agency
    days = _open_days(agency, timezone.localdate())
    try:
        chosen = parse_date(request.GET.get("date") or "") or (days[0] if days else None)
    except ValueError:  # well formed but not a date (2027-02-30)
        chosen = days[0] if days else None
    slots = services.appointment_slots(agency, chosen, version.procedure) if chosen else []
    return render(
        request,
        "appointments/book.html",
        {
            "version": version,
            "agency": agency,
            "days": days,
            "chosen": chosen,
            "slots": slots,
            "documents": version.documents.all(),
            "appointment": appointment,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def book(request, code: str):
    """Pick a day and a free slot of the procedure's desk, see the checklist, confirm."""
    version = _version(code)
    if request.method == "POST":
        start = parse_datetime(request.POST.get("start") or "")
        if start is None:
            return _picker(request, version=version, error=_("Please choose a time slot."))
        try:
            appointment = services.appointment_book(
                citizen=request.user, agency=version.agency, procedure=version.procedure, start=start
            )
        except services.AppointmentRefused as error:
            return _picker(request, version=version, error=" ".join(error.messages))
        messages.success(request, _("Your appointment is booked."))
        return redirect("appointments:detail", code=appointment.code)
    return _picker(request, version=version)


def _mine(request, code: str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("agency", "procedure").filter(code=code, citizen=request.user).first()
    )
    if appointment is None:
        raise Http404
    return appointment


@login_required
def detail(request, code: str):
    """The confirmation: the details, the QR code to show at the desk, the checklist."""
    appointment = _mine(request, code)
    version = (
        appointment.procedure.versions.filter(status=VersionStatus.PUBLISHED, agency=appointment.agency)
        .order_by("-number")
        .first()
    )
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "version": version,
            # SVG markup made here from the appointment's own code: safe to inline.
            "qr": qr_svg(appointment.code, scale=6),
            "documents": checklist(appointment),
            "changeable": _changeable(appointment),
        },
    )


def _changeable(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and timezone.now() <= appointment.start - timedelta(
        hours=settings.APPOINTMENT_CHANGE_HOURS
    )


@login_required
def mine(request):
    """My appointments: upcoming first, with cancel and move while still allowed."""
    appointments = list(
        Appointment.objects.filter(citizen=request.user).select_related("agency", "procedure").order_by("-start")[:50]
    )
    for appointment in appointments:
        appointment.changeable = _changeable(appointment)
    return render(request, "appointments/mine.html", {"appointments": appointments})


@login_required
@require_POST
def cancel(request, code: str):
    try:
        services.appointment_cancel(citizen=request.user, appointment=_mine(request, code))
    except services.AppointmentRefused as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("appointments:mine")


@login_required
@require_http_methods(["GET", "POST"])
def move(request, code: str):
    appointment = _mine(request, code)
    version = _version(appointment.procedure.code)
    if request.method == "POST":
        start = parse_datetime(request.POST.get("start") or "")
        if start is None:
            return _picker(request, version=version, appointment=appointment, error=_("Please choose a time slot."))
        try:
            moved = services.appointment_move(citizen=request.user, appointment=appointment, start=start)
        except services.AppointmentRefused as error:
            return _picker(request, version=version, appointment=appointment, error=" ".join(error.messages))
        messages.success(request, _("Your appointment is moved."))
        return redirect("appointments:detail", code=moved.code)
    return _picker(request, version=version, appointment=appointment)


def _staff_agencies(user) -> list[Agency]:
    ids = {agency_id for agency_id, _role in memberships(user)}
    if not ids:
        raise Http404
    return list(Agency.objects.filter(pk__in=ids).order_by("code"))


@login_required
def desk_day(request):
    """The desk officers' day view: the appointments of a day at one of their desks."""
    agencies = _staff_agencies(request.user)
    agency = next((a for a in agencies if a.code == request.GET.get("agency")), agencies[0])
    try:
        day = parse_date(request.GET.get("date") or "") or timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return render(
        request,
        "appointments/desk_day.html",
        {
            "agencies": agencies,
            "agency": agency,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "appointments": services.desk_day(agency, day),
            "statuses": AppointmentStatus,
        },
    )


@login_required
@require_POST
def desk_mark(request, code: str):
    _staff_agencies(request.user)
    appointment = Appointment.objects.select_related("agency").filter(code=code).first()
    if appointment is None or not services.staff_can_see(request.user, appointment.agency):
        raise Http404
    try:
        services.appointment_mark(staff=request.user, appointment=appointment, status=request.POST.get("status", ""))
    except services.AppointmentRefused as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Appointment %(code)s recorded.") % {"code": appointment.code})
    local = timezone.localtime(appointment.start).date()
    query = urlencode({"agency": appointment.agency.code, "date": local.isoformat()})
    return redirect(f"{reverse('appointments:desk_day')}?{query}")
