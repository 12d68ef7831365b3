import unicodedata

from django import template
from django.utils.translation import gettext as _

from portal.masking import mask_id, mask_phone
from portal.vn_dates import long_date

register = template.Library()
register.filter("long_date", long_date)  # "ngày 20 tháng 11 năm 2026", as papers write dates


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


@register.filter
def nfc(value) -> str:
    """Text in composed form (NFC): Django's own name for Vietnamese is stored decomposed, which
    some fonts, screen readers and searches treat as different letters."""
    return unicodedata.normalize("NFC", str(value))


@register.simple_tag
def elided_pages(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current page, with Paginator.ELLIPSIS for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))


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


# The last digits of a personal ID or phone number only (portal.masking).
register.filter("mask_id", mask_id)
register.filter("mask_phone", mask_phone)
