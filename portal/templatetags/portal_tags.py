from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def vnd(value) -> str:
    """Format whole đồng the Vietnamese way: 200000 -> '200.000 đ'; 0 -> 'Free'."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    if amount == 0:
        return _("Free")
    return f"{amount:,}".replace(",", ".") + " đ"


@register.simple_tag
def elided_pages(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current page, with Paginator.ELLIPSIS for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))


@register.filter
def deadline_state(due_at) -> str:
    """'overdue', 'soon' (due within 1 working day) or 'ok' for a due time; '' without one."""
    if not due_at:
        return ""
    from django.core.cache import cache
    from django.utils import timezone

    from procedures.calendar import due_soon_boundary

    now = timezone.localtime()
    if due_at < now:
        return "overdue"
    # One calendar look-up per day and process, not one per row of a queue.
    soon = cache.get_or_set(f"due-soon-boundary:{now.date()}", lambda: due_soon_boundary(now), 300)
    return "soon" if due_at <= soon else "ok"


@register.filter(name="rich_text")
def rich_text_filter(value):
    """Stored HTML (catalogue help) cleaned to an allow-list; never `|safe` on stored data."""
    from portal.sanitize import rich_text

    return rich_text(value)


@register.filter(name="document_html")
def document_html_filter(value):
    """An admin's result template body, cleaned to document tags."""
    from portal.sanitize import document_html

    return document_html(value)
