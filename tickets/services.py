"""Ticket use cases: issue at the kiosk, check in an appointment, call next, call again, skip,
transfer, serve, finish.

Numbers: the (group, day) TicketSequence row is locked (select_for_update) while the next number is
taken, so two kiosks never print the same number; the unique (agency, day, label) backs it.
Calling: the candidate row is locked with select_for_update(skip_locked=True), so two officers
calling at the same instant get two different tickets (the second skips the row the first holds).

Order of a counter's call: first a checked-in appointment whose start has come (by start), then
walk-ins first come, first served (by issue time, which a transfer keeps); an appointment not yet
due is called only when nobody else waits.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, AppointmentStatus
from appointments.services import AppointmentRefused, appointment_mark
from portal.constants import StaffRole
from portal.memberships import memberships
from procedures.constants import VersionStatus
from procedures.models import Agency, ProcedureVersion

from .models import AT_COUNTER, CALLABLE, Counter, CounterGroup, Ticket, TicketKind, TicketSequence, TicketState


class TicketRefused(ValidationError):
    """What the kiosk or the caller cannot do; `code` is invalid, not_today, too_early, too_late,
    used, empty, state or forbidden."""


def _refuse(message: str, code: str):
    raise TicketRefused(message, code=code)


def desk_agency_ids(user) -> set[int]:
    """The agencies where the user is a one-stop desk officer (who may call tickets)."""
    return {agency for agency, role in memberships(user) if role == StaffRole.RECEPTIONIST}


def _check_counter(officer, counter: Counter) -> None:
    if counter.agency_id not in desk_agency_ids(officer):
        _refuse(_("You do not work at this desk."), "forbidden")
    if not counter.is_active:
        _refuse(_("This counter is closed."), "invalid")


def _next_number(group: CounterGroup, day) -> int:
    TicketSequence.objects.get_or_create(group=group, day=day)
    sequence = TicketSequence.objects.select_for_update().get(group=group, day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _issue(*, group: CounterGroup, kind: str, appointment=None, due_at=None) -> Ticket:
    now = timezone.now()
    day = timezone.localdate(now)
    number = _next_number(group, day)
    try:
        with transaction.atomic():
            return Ticket.objects.create(
                agency_id=group.agency_id,
                group=group,
                day=day,
                number=number,
                label=f"{group.letter}-{number:03d}",
                kind=kind,
                appointment=appointment,
                due_at=due_at,
                issued_at=now,
            )
    except IntegrityError:
        if appointment is not None:
            _refuse(_("This appointment has already been checked in."), "used")
        raise


@transaction.atomic
def ticket_issue(*, group: CounterGroup) -> Ticket:
    """Issue the next walk-in ticket of a group (the kiosk's big button)."""
    if not group.is_active:
        _refuse(_("This queue is closed."), "invalid")
    return _issue(group=group, kind=TicketKind.WALK_IN)


def appointment_group(agency: Agency, appointment: Appointment) -> CounterGroup | None:
    """The group that serves the appointment's procedure (or its field); else the first group."""
    groups = CounterGroup.objects.filter(agency=agency, is_active=True)
    found = groups.filter(procedures=appointment.procedure_id).first()
    if found is None:
        fields = ProcedureVersion.objects.filter(
            procedure=appointment.procedure_id, agency=agency, status=VersionStatus.PUBLISHED
        ).values("field")
        found = groups.filter(fields__in=fields).first()
    return found or groups.first()


def normalise_code(raw: str) -> str:
    """What was typed or scanned: spaces dropped, upper case (the QR code holds the bare code)."""
    return "".join((raw or "").split()).upper()


@transaction.atomic
def ticket_check_in(*, agency: Agency, code: str) -> Ticket:
    """Check in a booked appointment by its code on its day, within the window around its start."""
    code = normalise_code(code)
    appointment = Appointment.objects.select_for_update().filter(code=code, agency=agency).first() if code else None
    if appointment is None:
        _refuse(
            _("We could not find an appointment with this code at this desk. Check the code on your confirmation."),
            "invalid",
        )
    if appointment.status == AppointmentStatus.CANCELLED:
        _refuse(_("This appointment was cancelled. Please take a walk-in ticket."), "invalid")
    if Ticket.objects.filter(appointment=appointment).exists():
        _refuse(_("This appointment has already been checked in."), "used")
    now = timezone.now()
    start = timezone.localtime(appointment.start)
    if start.date() != timezone.localdate(now):
        _refuse(
            _("This appointment is on %(date)s, not today. Please take a walk-in ticket or come on that day.")
            % {"date": start.strftime("%d/%m/%Y")},
            "not_today",
        )
    if now < appointment.start - timedelta(minutes=settings.TICKET_CHECK_IN_BEFORE_MINUTES):
        _refuse(
            _("Check-in opens %(minutes)s minutes before your appointment at %(time)s.")
            % {"minutes": settings.TICKET_CHECK_IN_BEFORE_MINUTES, "time": start.strftime("%H:%M")},
            "too_early",
        )
    if now > appointment.start + timedelta(minutes=settings.TICKET_CHECK_IN_AFTER_MINUTES):
        _refuse(
            _(
                "Your appointment at %(time)s has passed (check-in closes %(minutes)s minutes after it). Please take a walk-in ticket."
            )
            % {"time": start.strftime("%H:%M"), "minutes": settings.TICKET_CHECK_IN_AFTER_MINUTES},
            "too_late",
        )
    group = appointment_group(agency, appointment)
    if group is None:
        _refuse(_("This desk issues no tickets."), "invalid")
    return _issue(group=group, kind=TicketKind.APPOINTMENT, appointment=appointment, due_at=appointment.start)


def _waiting(counter: Counter):
    return Ticket.objects.filter(
        group__in=counter.groups.filter(is_active=True), day=timezone.localdate(), state__in=CALLABLE
    )


def _lock_first(queryset, *order) -> Ticket | None:
    # skip_locked: a ticket another officer is calling right now is not waited for but passed over.
    return queryset.select_for_update(skip_locked=True, of=("self",)).order_by(*order).first()


@transaction.atomic
def ticket_call_next(*, officer, counter: Counter) -> Ticket | None:
    """Call the next ticket to this counter (None when nobody waits)."""
    _check_counter(officer, counter)
    now = timezone.now()
    waiting = _waiting(counter)
    ticket = (
        _lock_first(waiting.filter(kind=TicketKind.APPOINTMENT, due_at__lte=now), "due_at", "issued_at", "pk")
        or _lock_first(waiting.filter(kind=TicketKind.WALK_IN), "issued_at", "pk")
        or _lock_first(waiting.filter(kind=TicketKind.APPOINTMENT), "due_at", "issued_at", "pk")
    )
    if ticket is None:
        return None
    ticket.state = TicketState.CALLED
    ticket.counter = counter
    ticket.served_by = officer
    ticket.called_at = ticket.called_at or now  # the wait ends at the first call, not after a transfer
    ticket.announced_at = now
    ticket.save(update_fields=["state", "counter", "served_by", "called_at", "announced_at"])
    if ticket.appointment_id is not None:
        try:
            appointment_mark(staff=officer, appointment=ticket.appointment, status=AppointmentStatus.KEPT)
        except AppointmentRefused:
            pass  # cancelled meanwhile: the ticket is served all the same
    return ticket


def _locked_at(officer, counter: Counter, ticket: Ticket, states) -> Ticket:
    _check_counter(officer, counter)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.counter_id != counter.pk or ticket.state not in states:
        _refuse(_("Ticket %(label)s is no longer at this counter.") % {"label": ticket.label}, "state")
    return ticket


@transaction.atomic
def ticket_recall(*, officer, counter: Counter, ticket: Ticket) -> Ticket:
    """Call the ticket again (the display shows it on top and chimes)."""
    ticket = _locked_at(officer, counter, ticket, AT_COUNTER)
    ticket.recall_count += 1
    ticket.announced_at = timezone.now()
    ticket.save(update_fields=["recall_count", "announced_at"])
    return ticket


@transaction.atomic
def ticket_serve(*, officer, counter: Counter, ticket: Ticket) -> Ticket:
    """The called person is at the counter."""
    ticket = _locked_at(officer, counter, ticket, (TicketState.CALLED,))
    ticket.state = TicketState.SERVING
    ticket.save(update_fields=["state"])
    return ticket


@transaction.atomic
def ticket_skip(*, officer, counter: Counter, ticket: Ticket) -> Ticket:
    """Nobody came: the ticket leaves the queue."""
    ticket = _locked_at(officer, counter, ticket, (TicketState.CALLED,))
    ticket.state = TicketState.SKIPPED
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["state", "finished_at"])
    return ticket


@transaction.atomic
def ticket_transfer(*, officer, counter: Counter, ticket: Ticket, group: CounterGroup) -> Ticket:
    """Send the ticket to another group's queue; it keeps its number and its place by issue time."""
    ticket = _locked_at(officer, counter, ticket, AT_COUNTER)
    if group.agency_id != ticket.agency_id or not group.is_active:
        _refuse(_("Choose an open group of this desk."), "invalid")
    if group.pk == ticket.group_id:
        _refuse(_("The ticket is already in this group."), "invalid")
    ticket.group = group
    ticket.state = TicketState.TRANSFERRED
    ticket.counter = None
    ticket.transfer_count += 1
    ticket.save(update_fields=["group", "state", "counter", "transfer_count"])
    return ticket


@transaction.atomic
def ticket_finish(*, officer, counter: Counter, ticket: Ticket) -> Ticket:
    """The person has been served."""
    ticket = _locked_at(officer, counter, ticket, AT_COUNTER)
    ticket.state = TicketState.DONE
    ticket.finished_at = timezone.now()
    ticket.served_by = officer
    ticket.save(update_fields=["state", "finished_at", "served_by"])
    return ticket
