"""The working-day calendar and the default deadline rule (procedures/calendar.py)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from procedures.calendar import WorkingCalendar, due_date, due_soon_boundary
from procedures.constants import CalendarDayKind
from procedures.models import CalendarOverride

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


def test_tet_2026_is_five_days_off():
    calendar = WorkingCalendar.around(date(2026, 2, 1))
    assert [calendar.is_working_day(date(2026, 2, d)) for d in range(13, 24)] == [
        True,  # Fri 13
        False,
        False,  # weekend
        False,
        False,
        False,
        False,
        False,  # Tết 16-20
        False,
        False,  # weekend
        True,  # Mon 23
    ]


def test_deadline_spans_tet():
    # Received Friday before Tết: day 0 is that Friday; days 1-3 are 23-25 February.
    deadline = due_date(at(2026, 2, 13, 10, 0), 3)
    assert deadline.counting_from == at(2026, 2, 13, 10, 0)
    assert deadline.due_at == at(2026, 2, 25, 17, 0)


def test_swapped_working_saturday_counts():
    # 22 August 2026 is a working Saturday, swapped for Monday 31 August.
    calendar = WorkingCalendar.around(date(2026, 8, 1))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert due_date(at(2026, 8, 21, 9, 0), 1).due_at == at(2026, 8, 22, 17, 0)
    # Friday 28 August + 1 working day skips the weekend and the swapped Monday.
    assert due_date(at(2026, 8, 28, 9, 0), 1).due_at == at(2026, 9, 3, 17, 0)


def test_admin_override_adds_a_day_off():
    assert due_date(at(2026, 2, 27, 10, 0), 1).due_at == at(2026, 3, 2, 17, 0)
    CalendarOverride.objects.create(date=date(2026, 3, 2), kind=CalendarDayKind.DAY_OFF, note="Storm")
    assert due_date(at(2026, 2, 27, 10, 0), 1).due_at == at(2026, 3, 3, 17, 0)


def test_admin_override_makes_a_saturday_a_working_day():
    CalendarOverride.objects.create(date=date(2026, 3, 7), kind=CalendarDayKind.WORKING_DAY)
    assert due_date(at(2026, 3, 6, 10, 0), 1).due_at == at(2026, 3, 7, 17, 0)
    # Received on that Saturday morning, it counts that day.
    assert due_date(at(2026, 3, 7, 8, 0), 0).due_at == at(2026, 3, 7, 17, 0)


def test_cutoff_at_15_00():
    before = due_date(at(2026, 3, 4, 14, 59), 1)
    assert before.counting_from == at(2026, 3, 4, 14, 59)
    assert before.due_at == at(2026, 3, 5, 17, 0)
    after = due_date(at(2026, 3, 4, 15, 0), 1)
    assert after.counting_from == at(2026, 3, 5, 7, 30)
    assert after.due_at == at(2026, 3, 6, 17, 0)


def test_cutoff_is_a_setting(settings):
    settings.RECEPTION_CUTOFF_AT = "16:00"
    assert due_date(at(2026, 3, 4, 15, 30), 1).due_at == at(2026, 3, 5, 17, 0)


def test_zero_days_means_the_same_working_day():
    assert due_date(at(2026, 3, 4, 10, 0), 0).due_at == at(2026, 3, 4, 17, 0)
    # After the cut-off: the end of the next working day.
    assert due_date(at(2026, 3, 4, 16, 0), 0).due_at == at(2026, 3, 5, 17, 0)


def test_before_opening_counts_from_the_opening():
    assert due_date(at(2026, 3, 4, 6, 0), 0).counting_from == at(2026, 3, 4, 7, 30)


def test_weekend_reception_counts_from_monday_opening():
    deadline = due_date(at(2026, 3, 7, 10, 0), 2)
    assert deadline.counting_from == at(2026, 3, 9, 7, 30)
    assert deadline.due_at == at(2026, 3, 11, 17, 0)


def test_utc_input_is_converted_to_local_time():
    # 08:30 UTC is 15:30 in Hà Nội: after the cut-off.
    deadline = due_date(datetime(2026, 3, 4, 8, 30, tzinfo=ZoneInfo("UTC")), 0)
    assert deadline.due_at == at(2026, 3, 5, 17, 0)


def test_working_days_between_skips_tet():
    calendar = WorkingCalendar.around(date(2026, 2, 1))
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 25)) == 3


def test_due_soon_boundary_is_the_end_of_the_next_working_day():
    # Friday before Tết: the next working day is Monday 23 February, after the holiday.
    assert due_soon_boundary(at(2026, 2, 13, 16, 0)) == at(2026, 2, 23, 23, 59)
    CalendarOverride.objects.create(date=date(2026, 2, 23), kind=CalendarDayKind.DAY_OFF, note="Storm")
    assert due_soon_boundary(at(2026, 2, 13, 16, 0)) == at(2026, 2, 24, 23, 59)
