"""The working-day calendar as a table, so SQL can count working days by subtraction."""

from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from procedures.calendar import WorkingCalendar
from procedures.models import CalendarOverride

from .models import CalendarTableState, WorkingDay

EPOCH = date(2015, 1, 1)
CHECK_CACHE_KEY = "indicators:calendar-table-ok"


def _fingerprint() -> str:
    """Changes whenever an override is added, changed or removed."""
    row = CalendarOverride.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{row['n']}:{row['last'].isoformat() if row['last'] else ''}"


def ensure_calendar(start: date, end: date) -> None:
    """Make sure the table covers [start, end] and reflects the current overrides."""
    key = f"{CHECK_CACHE_KEY}:{start}:{end}"
    if cache.get(key):
        return
    fingerprint = _fingerprint()
    state = CalendarTableState.objects.first()
    if state is None or state.fingerprint != fingerprint or state.start > start or state.end < end:
        rebuild_calendar(min(start, EPOCH), max(end, timezone.localdate() + timedelta(days=2 * 366)), fingerprint)
    cache.set(key, True, 300)


@transaction.atomic
def rebuild_calendar(start: date, end: date, fingerprint: str | None = None) -> int:
    """Refill the table from WorkingCalendar (holidays.VN plus overrides); a few thousand rows."""
    calendar = WorkingCalendar(start, end)
    rows, ordinal, day = [], 0, start
    while day <= end:
        working = calendar.is_working_day(day)
        ordinal += working
        rows.append(WorkingDay(date=day, ordinal=ordinal, is_working_day=working))
        day += timedelta(days=1)
    WorkingDay.objects.all().delete()
    WorkingDay.objects.bulk_create(rows, batch_size=2000)
    CalendarTableState.objects.all().delete()
    CalendarTableState.objects.create(start=start, end=end, fingerprint=fingerprint or _fingerprint())
    return len(rows)
