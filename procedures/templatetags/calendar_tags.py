"""Template filters over the working-day calendar: `{% load calendar_tags %}`."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from procedures.calendar import due_soon_boundary

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
    soon = cache.get_or_set(f"due-soon-boundary:{now.date()}", lambda: due_soon_boundary(now), 300)
    return "soon" if due_at <= soon else "ok"
