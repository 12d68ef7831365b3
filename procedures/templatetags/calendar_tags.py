"""Template filters over the working-day calendar: `{% load calendar_tags %}`."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from procedures.calendar import WorkingCalendar, office_time

register = template.Library()


@register.filter
def deadline_state(due_at) -> str:
    """'overdue', 'soon' (due within 1 working day) or 'ok' for a due time; '' without one."""
    if not due_at:
        return ""
    now = timezone.localtime()
    if due_at < now:
        return "overdue"
    # One calendar look-up per day and process, not one per row of a queue.
    soon = cache.get_or_set(
        f"due-soon-boundary:{now.date()}",
        lambda: office_time(WorkingCalendar.around(now.date(), days_ahead=30).next_working_day(now.date()), "23:59"),
        300,
    )
    return "soon" if due_at <= soon else "ok"
