"""Appointment use cases: the free slots of a day, booking, cancelling, moving, marking.

Slots come from the working-day calendar (procedures/calendar.py: weekends, holidays.VN with
the lunar Tết, swapped working Saturdays, the admin's CalendarOverride rows) minus the agency's
blackout days, within the desk's hours less the lunch break. Booking locks the agency's
DeskSchedule row (select_for_update), so the last seat of a slot can never be booked twice; the
unique constraint on (agency, start, seat_number) is the second line of defence.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.outbox import outbox_write
from procedures.calendar import WorkingCalendar, _clock
from procedures.constants import VersionStatus
from procedures.models import Agency, Procedure, ProcedureVersion

from .models import Appointment, AppointmentStatus, BlackoutDay, DeskSchedule, ProcedureGroupQuota

NO_SHOW_WINDOW_DAYS = 90
LIVE = (AppointmentStatus.BOOKED, AppointmentStatus.KEPT, AppointmentStatus.NO_SHOW)


class AppointmentRefused(ValidationError):
    """A booking or change that is not possible; `code` is closed, full, duplicate, blocked,
    too_late or invalid (the API answers 400 for invalid, 409 for the others)."""


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int
    taken: int
    group_free: int | None = None  # seats left for the procedure's group, when it has a quota

    @property
    def available(self) -> int:
        if self.start <= timezone.now():
            return 0
        free = max(self.capacity - self.taken, 0)
        return free if self.group_free is None else min(free, max(self.group_free, 0))


def desk_schedule(agency: Agency) -> DeskSchedule:
    """The agency's schedule; the defaults (unsaved) when the admin has not set one."""
    return DeskSchedule.objects.filter(agency=agency).first() or DeskSchedule(agency=agency)


def _local(day: date, clock) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_default_timezone())


def is_open_day(agency: Agency, day: date) -> bool:
    if not WorkingCalendar(day, day).is_working_day(day):
        return False
    return not BlackoutDay.objects.filter(agency=agency, date=day).exists()


def bookable_day(day: date) -> bool:
    """From today up to APPOINTMENT_DAYS_AHEAD days ahead."""
    today = timezone.localdate()
    return today <= day <= today + timedelta(days=settings.APPOINTMENT_DAYS_AHEAD)


def _slot_times(schedule: DeskSchedule, day: date) -> list[tuple[datetime, datetime]]:
    opens = _local(day, schedule.opens_at or _clock(settings.OFFICE_OPENS_AT))
    closes = _local(day, schedule.closes_at or _clock(settings.OFFICE_CLOSES_AT))
    lunch_from, lunch_until = _local(day, schedule.lunch_starts_at), _local(day, schedule.lunch_ends_at)
    length = timedelta(minutes=schedule.slot_minutes)
    times, start = [], opens
    while start + length <= closes:
        end = start + length
        if start < lunch_until and end > lunch_from:  # overlaps the lunch break: resume after it
            start = max(end, lunch_until)
            continue
        times.append((start, end))
        start = end
    return times


def _quotas(agency: Agency, procedure: Procedure | None) -> list[ProcedureGroupQuota]:
    if procedure is None:
        return []
    return list(ProcedureGroupQuota.objects.filter(agency=agency, procedures=procedure).prefetch_related("procedures"))


def _group_free(quotas, appointments) -> int | None:
    """Seats left in a slot under the tightest quota of the procedure's groups (None: no quota).
    `appointments` are the slot's live (procedure_id,) rows."""
    if not quotas:
        return None
    left = []
    for quota in quotas:
        members = {procedure.pk for procedure in quota.procedures.all()}
        left.append(quota.capacity - sum(1 for procedure_id in appointments if procedure_id in members))
    return min(left)


def appointment_slots(agency: Agency, day: date, procedure: Procedure | None = None) -> list[Slot]:
    """The desk's slots on `day` with their free seats (for `procedure`: within its group's
    quota too); none on a day off or a blackout day."""
    if not bookable_day(day):
        return []
    schedule = desk_schedule(agency)
    if not schedule.is_active or not is_open_day(agency, day):
        return []
    times = _slot_times(schedule, day)
    if not times:
        return []
    booked: dict[datetime, list[int]] = {}
    for start, procedure_id in Appointment.objects.filter(
        agency=agency, start__range=(times[0][0], times[-1][0]), status__in=LIVE
    ).values_list("start", "procedure_id"):
        booked.setdefault(start, []).append(procedure_id)
    quotas = _quotas(agency, procedure)
    return [
        Slot(start, end, schedule.capacity, len(booked.get(start, ())), _group_free(quotas, booked.get(start, ())))
        for start, end in times
    ]


def blocked_until(citizen) -> datetime | None:
    """When a citizen with too many recent no-shows may book again (None: not blocked)."""
    now = timezone.now()
    recent = list(
        Appointment.objects.filter(
            citizen=citizen,
            status=AppointmentStatus.NO_SHOW,
            start__gte=now - timedelta(days=NO_SHOW_WINDOW_DAYS),
            start__lte=now,
        )
        .order_by("-start")
        .values_list("start", flat=True)
    )
    if len(recent) < settings.APPOINTMENT_NO_SHOW_LIMIT:
        return None
    until = recent[0] + timedelta(days=settings.APPOINTMENT_BLOCK_DAYS)
    return until if until > now else None


def performs(agency: Agency, procedure: Procedure) -> bool:
    return ProcedureVersion.objects.filter(procedure=procedure, agency=agency, status=VersionStatus.PUBLISHED).exists()


def _refuse(message: str, code: str):
    raise AppointmentRefused(message, code=code)


def _check_slot(schedule: DeskSchedule, start: datetime) -> datetime:
    """The end of the slot starting at `start`, or a refusal saying why there is none."""
    if timezone.is_naive(start):
        start = timezone.make_aware(start, timezone.get_default_timezone())
    if start <= timezone.now():
        _refuse(_("This time has already passed. Please choose a later slot."), "closed")
    day = timezone.localtime(start).date()
    if not bookable_day(day):
        _refuse(
            _("Appointments can be booked up to %(days)s days ahead.") % {"days": settings.APPOINTMENT_DAYS_AHEAD},
            "closed",
        )
    if not schedule.is_active:
        _refuse(_("This desk does not take appointments."), "closed")
    if not is_open_day(schedule.agency, day):
        _refuse(_("The desk is closed on this day (weekend, holiday or closure). Please choose another day."), "closed")
    for slot_start, slot_end in _slot_times(schedule, day):
        if slot_start == start:
            return slot_end
    _refuse(_("There is no appointment slot at this time (outside opening hours or the lunch break)."), "closed")


@transaction.atomic
def appointment_book(*, citizen, agency: Agency, procedure: Procedure, start: datetime, replacing=None) -> Appointment:
    """Book a seat in the slot starting at `start`, or refuse with a clear message."""
    if not citizen.is_citizen:
        _refuse(_("Only citizens book appointments."), "invalid")
    if not agency.is_active or not performs(agency, procedure):
        _refuse(_("This agency does not receive this procedure."), "invalid")
    until = blocked_until(citizen)
    if until is not None:
        _refuse(
            _("Booking is paused until %(date)s after several missed appointments.")
            % {"date": timezone.localtime(until).strftime("%d/%m/%Y")},
            "blocked",
        )
    DeskSchedule.objects.get_or_create(agency=agency)
    # One booking at a time per desk: the slot's count and the new seat are decided under this lock.
    schedule = DeskSchedule.objects.select_for_update().select_related("agency").get(agency=agency)
    end = _check_slot(schedule, start)
    live = Appointment.objects.filter(start=start, status__in=LIVE)
    mine = live.filter(citizen=citizen)
    if replacing is not None:
        mine = mine.exclude(pk=replacing.pk)
    if mine.exists():
        _refuse(_("You already have an appointment at this time."), "duplicate")
    seats = set(live.filter(agency=agency).values_list("seat_number", flat=True))
    free = [seat for seat in range(1, schedule.capacity + 1) if seat not in seats]
    if not free:
        _refuse(_("This slot is full. Please choose another time."), "full")
    group_free = _group_free(
        _quotas(agency, procedure), list(live.filter(agency=agency).values_list("procedure_id", flat=True))
    )
    if group_free is not None and group_free <= 0:
        _refuse(_("The places for this kind of procedure in this slot are taken. Please choose another time."), "full")
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                citizen=citizen, agency=agency, procedure=procedure, start=start, end=end, seat_number=free[0]
            )
    except IntegrityError:
        _refuse(_("This slot is full. Please choose another time."), "full")
    outbox_write("appointment.booked", {"appointment_id": appointment.pk})  # the confirmation, after commit
    return appointment


def _check_changeable(citizen, appointment: Appointment) -> None:
    if appointment.citizen_id != citizen.pk:
        _refuse(_("This is not your appointment."), "invalid")
    if appointment.status != AppointmentStatus.BOOKED:
        _refuse(_("This appointment can no longer be changed."), "too_late")
    if timezone.now() > appointment.start - timedelta(hours=settings.APPOINTMENT_CHANGE_HOURS):
        _refuse(
            _("An appointment can be changed until %(hours)s hours before it starts.")
            % {"hours": settings.APPOINTMENT_CHANGE_HOURS},
            "too_late",
        )


@transaction.atomic
def appointment_cancel(*, citizen, appointment: Appointment) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_changeable(citizen, appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


@transaction.atomic
def appointment_move(*, citizen, appointment: Appointment, start: datetime) -> Appointment:
    """Book the new time and cancel the old one, both or neither."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_changeable(citizen, appointment)
    moved = appointment_book(
        citizen=citizen,
        agency=appointment.agency,
        procedure=appointment.procedure,
        start=start,
        replacing=appointment,
    )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    return moved


def staff_can_see(user, agency: Agency) -> bool:
    return user.is_authenticated and user.memberships.filter(agency=agency).exists()


def desk_day(agency: Agency, day: date):
    """The appointments of one day at one desk, for the staff day view."""
    return (
        Appointment.objects.filter(agency=agency, start__date=day)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("citizen", "procedure")
    )


@transaction.atomic
def appointment_mark(*, staff, appointment: Appointment, status: str) -> Appointment:
    """The desk officer records that the citizen came (kept) or did not (no-show)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not staff_can_see(staff, appointment.agency):
        _refuse(_("You do not work at this desk."), "invalid")
    if status not in (AppointmentStatus.KEPT, AppointmentStatus.NO_SHOW):
        _refuse(_("Mark an appointment as kept or no-show."), "invalid")
    if appointment.status == AppointmentStatus.CANCELLED:
        _refuse(_("This appointment was cancelled."), "too_late")
    if status == AppointmentStatus.NO_SHOW and appointment.start > timezone.now():
        _refuse(_("A no-show can only be recorded after the appointment's time."), "too_late")
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    return appointment
