"""The working-day calendar every legal deadline is counted on.

A day is a working day unless it is a weekend or a Vietnamese public holiday (holidays.VN,
which knows the lunar dates and the declared swaps), with the admin's CalendarOverride rows
taking precedence. Office hours and the reception cut-off are settings.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from .constants import CalendarDayKind
from .models import CalendarOverride

# Far enough ahead for any processing time: 365 working days never span more than 2 years.
MAX_WORKING_DAYS = 365
_LOOKAHEAD_DAYS = 2 * 366 + 30


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Holidays and swapped working Saturdays of one year, as holidays.VN knows them."""
    calendar = holidays.VN(years=year)
    return frozenset(calendar.keys()), frozenset(getattr(calendar, "weekend_workdays", ()))


@dataclass(frozen=True)
class Deadline:
    received_at: datetime
    counting_from: datetime
    due_at: datetime


class WorkingCalendar:
    """Working days between two dates, with the overrides of that span loaded once."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.overrides = dict(CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "kind"))

    @classmethod
    def around(cls, day: date, days_ahead: int = _LOOKAHEAD_DAYS) -> "WorkingCalendar":
        return cls(day - timedelta(days=7), day + timedelta(days=days_ahead))

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override == CalendarDayKind.WORKING_DAY
        days_off, working_weekends = _public_holidays(day.year)
        if day in days_off:
            return False
        if day.weekday() >= 5:
            return day in working_weekends
        return True

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after working day `day` (0 = that day)."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def office_time(day: date, clock: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, _clock(clock)), timezone.get_default_timezone())


def due_soon_boundary(now: datetime) -> datetime:
    """The end of the next working day: a due time up to this is "due within 1 working day"
    (queues, the deadline sweep and the badges all draw the line here)."""
    day = timezone.localtime(now).date()
    return office_time(WorkingCalendar.around(day, days_ahead=30).next_working_day(day), "23:59")


def counting_start(received_at: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """When the clock starts for something received at `received_at`.

    On a working day before the cut-off it counts that day (from the opening if it came
    earlier); after the cut-off or on a day off it counts from the next working day's opening.
    """
    local = timezone.localtime(received_at)
    calendar = calendar or WorkingCalendar.around(local.date())
    day = local.date()
    if calendar.is_working_day(day) and local.time() < _clock(settings.RECEPTION_CUTOFF_AT):
        opening = office_time(day, settings.OFFICE_OPENS_AT)
        return max(local, opening)
    return office_time(calendar.next_working_day(day), settings.OFFICE_OPENS_AT)


def due_date(received_at: datetime, working_days: int) -> Deadline:
    """The legal due time: the end of office hours, `working_days` working days after the start."""
    if working_days < 0 or working_days > MAX_WORKING_DAYS:
        raise ValueError(f"working_days must be between 0 and {MAX_WORKING_DAYS}")
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at, timezone.get_default_timezone())
    calendar = WorkingCalendar.around(timezone.localtime(received_at).date())
    start = counting_start(received_at, calendar)
    due_day = calendar.add_working_days(start.date(), working_days)
    return Deadline(
        received_at=timezone.localtime(received_at),
        counting_from=start,
        due_at=office_time(due_day, settings.OFFICE_CLOSES_AT),
    )


def expected_result_at(working_days: int, *, now: datetime | None = None) -> datetime:
    """An estimate shown before submission: the due time if the desk received the dossier now
    (the legal clock only starts at reception, so the real date may be later)."""
    return due_date(now or timezone.now(), min(max(working_days, 0), MAX_WORKING_DAYS)).due_at
