"""Payments' part of pages other apps render (the officer's dossier page): a template tag, so the
dossiers app never imports payments for it."""

from django import template

from payments.services import refund_allowed as _refund_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def refund_allowed(context, dossier) -> bool:
    """Whether the signed-in officer may pay money back on this dossier (payments.services)."""
    return _refund_allowed(actor=context["request"].user, dossier=dossier)
