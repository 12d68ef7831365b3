"""Deadline rules of dossiers, over the working-day calendar (pure functions)."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from procedures.calendar import WorkingCalendar, office_time

from .constants import Timeliness


def classify(*, ended_at: datetime, due_at: datetime | None, supplement_requests: int = 0) -> str:
    """Early, on time or late, as the statistics count it (more than one supplement: late)."""
    if supplement_requests > 1:
        return Timeliness.LATE
    if due_at is None:
        return Timeliness.ON_TIME
    if timezone.localtime(ended_at).date() < timezone.localtime(due_at).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME if ended_at <= due_at else Timeliness.LATE


def step_due(start: datetime, working_days, closes_at: str) -> datetime:
    """The due time of a step that starts at `start` and may take `working_days` working days."""
    day = timezone.localtime(start).date()
    calendar = WorkingCalendar.around(day)
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return office_time(calendar.add_working_days(day, int(working_days)), closes_at)


def latest_extension_day(due_at: datetime, working_days_before: int) -> date:
    """The last day an apology with a new date may be sent: N working days before the due date."""
    day = timezone.localtime(due_at).date()
    calendar = WorkingCalendar(day - timedelta(days=60), day)
    for _ in range(working_days_before):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day
