"""Desk appointments: slots from the working-day calendar, booking refusals, changes, no-shows."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from appointments import services
from appointments.models import Appointment, AppointmentStatus, BlackoutDay
from procedures.constants import CalendarDayKind
from procedures.models import CalendarOverride

pytestmark = pytest.mark.django_db


def at(day: date, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hours, minutes)))


def book(desk, start, citizen=None):
    return services.appointment_book(
        citizen=citizen or desk["citizen"], agency=desk["agency"], procedure=desk["procedure"], start=start
    )


def refusal(desk, start, citizen=None) -> services.AppointmentRefused:
    with translation.override("en"), pytest.raises(services.AppointmentRefused) as caught:
        book(desk, start, citizen)
    return caught.value


def test_a_working_day_has_slots_in_office_hours_without_the_lunch_break(desk):
    slots = services.appointment_slots(desk["agency"], date(2027, 2, 11))
    starts = [timezone.localtime(s.start).strftime("%H:%M") for s in slots]
    assert starts[0] == "07:30" and timezone.localtime(slots[-1].end).strftime("%H:%M") == "17:00"
    assert "11:00" in starts and "11:30" not in starts and "13:00" not in starts and "13:30" in starts
    assert len(starts) == 8 + 7  # 07:30-11:30 and 13:30-17:00
    assert all(s.available == 2 for s in slots)


def test_no_slots_over_tet_2027_weekends_or_blackout_days(desk):
    tet = [date(2027, 2, 4) + timedelta(days=n) for n in range(7)]  # 29 Tết .. 5th day (holidays.VN)
    assert all(services.appointment_slots(desk["agency"], day) == [] for day in tet)
    assert services.appointment_slots(desk["agency"], date(2027, 2, 11)) != []  # back at work
    assert services.appointment_slots(desk["agency"], date(2027, 2, 13)) == []  # a Saturday
    BlackoutDay.objects.create(agency=desk["agency"], date=date(2027, 2, 12), reason="Tập huấn")
    assert services.appointment_slots(desk["agency"], date(2027, 2, 12)) == []


def test_a_swapped_working_saturday_has_slots(desk):
    saturday = date(2027, 2, 20)
    assert services.appointment_slots(desk["agency"], saturday) == []
    CalendarOverride.objects.create(date=saturday, kind=CalendarDayKind.WORKING_DAY, note="Làm bù")
    assert len(services.appointment_slots(desk["agency"], saturday)) == 15
    assert book(desk, at(saturday, "08:00")).status == AppointmentStatus.BOOKED


def test_booking_takes_a_seat_until_the_slot_is_full(desk):
    start = at(date(2027, 2, 11), "08:00")
    first, second = book(desk, start), book(desk, start, desk["other_citizen"])
    assert (first.seat_number, second.seat_number) == (1, 2)
    assert first.end == start + timedelta(minutes=30) and first.code.startswith("LH")
    slot = next(s for s in services.appointment_slots(desk["agency"], start.date()) if s.start == start)
    assert slot.available == 0
    from tests.dossiers.factories import CitizenFactory

    error = refusal(desk, start, CitizenFactory())
    assert error.code == "full" and "full" in error.messages[0]


@pytest.mark.parametrize(
    ("when", "code", "words"),
    [
        (lambda: timezone.now() - timedelta(hours=1), "closed", "passed"),
        (lambda: at(date(2027, 2, 8), "08:00"), "closed", "closed"),  # Tết
        (lambda: at(date(2027, 2, 13), "08:00"), "closed", "closed"),  # Saturday
        (lambda: at(date(2027, 2, 11), "12:00"), "closed", "lunch"),
        (lambda: at(date(2027, 2, 11), "18:00"), "closed", "opening hours"),
        (lambda: at(date(2027, 2, 11), "08:10"), "closed", "no appointment slot"),
        (lambda: at(date(2027, 6, 1), "08:00"), "closed", "60 days ahead"),
    ],
)
def test_refusals_say_why_and_change_nothing(desk, when, code, words):
    error = refusal(desk, when())
    assert error.code == code and words in error.messages[0]
    assert Appointment.objects.count() == 0


def test_the_same_citizen_cannot_book_the_same_time_twice(desk):
    start = at(date(2027, 2, 11), "08:00")
    book(desk, start)
    error = refusal(desk, start)
    assert error.code == "duplicate"
    assert Appointment.objects.count() == 1


def test_staff_and_other_agencies_procedures_are_refused(desk, office):
    start = at(date(2027, 2, 11), "08:00")
    assert refusal(desk, start, office["desk"]).code == "invalid"
    from tests.procedures.factories import AgencyFactory

    with pytest.raises(services.AppointmentRefused) as caught:
        services.appointment_book(
            citizen=desk["citizen"], agency=AgencyFactory(), procedure=desk["procedure"], start=start
        )
    assert caught.value.code == "invalid"


def test_cancel_frees_the_seat_and_is_refused_close_to_the_time(desk, settings):
    start = at(date(2027, 2, 11), "08:00")
    appointment = book(desk, start)
    cancelled = services.appointment_cancel(citizen=desk["citizen"], appointment=appointment)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert book(desk, start).seat_number == 1  # the seat is free again; re-booking is allowed
    soon = Appointment.objects.create(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=timezone.now() + timedelta(hours=1),
        end=timezone.now() + timedelta(hours=1, minutes=30),
        seat_number=1,
    )
    with translation.override("en"), pytest.raises(services.AppointmentRefused) as caught:
        services.appointment_cancel(citizen=desk["citizen"], appointment=soon)
    assert caught.value.code == "too_late" and "2 hours" in caught.value.messages[0]
    with pytest.raises(services.AppointmentRefused):
        services.appointment_cancel(citizen=desk["other_citizen"], appointment=appointment)


def test_move_books_the_new_time_and_frees_the_old_one(desk):
    old = book(desk, at(date(2027, 2, 11), "08:00"))
    moved = services.appointment_move(citizen=desk["citizen"], appointment=old, start=at(date(2027, 2, 11), "14:00"))
    old.refresh_from_db()
    assert old.status == AppointmentStatus.CANCELLED and moved.status == AppointmentStatus.BOOKED
    with pytest.raises(services.AppointmentRefused):  # to a holiday: refused, nothing changed
        services.appointment_move(citizen=desk["citizen"], appointment=moved, start=at(date(2027, 2, 8), "08:00"))
    moved.refresh_from_db()
    assert moved.status == AppointmentStatus.BOOKED


def _past_no_show(desk, days_ago):
    start = timezone.now() - timedelta(days=days_ago)
    return Appointment.objects.create(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=start,
        end=start + timedelta(minutes=30),
        seat_number=1,
        status=AppointmentStatus.NO_SHOW,
    )


def test_three_no_shows_in_90_days_block_booking_for_30_days(desk):
    start = at(date(2027, 2, 11), "08:00")
    _past_no_show(desk, 80)
    _past_no_show(desk, 40)
    assert services.blocked_until(desk["citizen"]) is None
    _past_no_show(desk, 5)
    assert services.blocked_until(desk["citizen"]) > timezone.now() + timedelta(days=24)
    error = refusal(desk, start)
    assert error.code == "blocked" and "paused" in error.messages[0]
    assert book(desk, start, desk["other_citizen"]).status == AppointmentStatus.BOOKED


def test_no_shows_older_than_the_block_no_longer_block(desk):
    for days in (70, 60, 50):
        _past_no_show(desk, days)
    assert services.blocked_until(desk["citizen"]) is None


def test_staff_of_the_desk_mark_kept_or_no_show(desk, office):
    from portal.constants import StaffRole
    from tests.dossiers.factories import StaffFactory

    officer = StaffFactory(agency=desk["agency"], role=StaffRole.RECEPTIONIST)
    appointment = book(desk, at(date(2027, 2, 11), "08:00"))
    with pytest.raises(services.AppointmentRefused):  # not yet happened
        services.appointment_mark(staff=officer, appointment=appointment, status=AppointmentStatus.NO_SHOW)
    with pytest.raises(services.AppointmentRefused):  # another agency's officer
        services.appointment_mark(staff=office["stranger"], appointment=appointment, status=AppointmentStatus.KEPT)
    kept = services.appointment_mark(staff=officer, appointment=appointment, status=AppointmentStatus.KEPT)
    assert kept.status == AppointmentStatus.KEPT
    assert list(services.desk_day(desk["agency"], date(2027, 2, 11))) == [kept]


def test_a_procedure_groups_quota_caps_its_appointments_within_the_slot(desk):
    from appointments.models import ProcedureGroupQuota

    quota = ProcedureGroupQuota.objects.create(agency=desk["agency"], name="Hộ tịch", capacity=1)
    quota.procedures.add(desk["procedure"])
    start = at(date(2027, 2, 11), "08:00")
    book(desk, start)
    slot = next(
        s for s in services.appointment_slots(desk["agency"], start.date(), desk["procedure"]) if s.start == start
    )
    assert slot.available == 0  # the group's one place is taken...
    whole = next(s for s in services.appointment_slots(desk["agency"], start.date()) if s.start == start)
    assert whole.available == 1  # ...while the slot itself still has a seat for other procedures
    error = refusal(desk, start, desk["other_citizen"])
    assert error.code == "full" and "kind of procedure" in " ".join(error.messages)
    assert Appointment.objects.filter(start=start).count() == 1
