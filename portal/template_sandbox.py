"""A Django template engine for texts admins write (result documents): a few harmless tags and
filters, no {% load %}, {% include %}, {% debug %} or |safe, autoescaped, and contexts made of
plain values by the caller, so a template cannot reach a model, a password hash or settings."""

from django.template import Engine, Library, defaultfilters, defaulttags

from .vn_dates import long_date

register = Library()

TAGS = ("if", "for", "with", "comment", "firstof", "now", "spaceless", "templatetag")
FILTERS = (
    "date",
    "time",
    "default",
    "default_if_none",
    "upper",
    "lower",
    "title",
    "capfirst",
    "linebreaksbr",
    "linebreaks",
    "floatformat",
    "length",
    "yesno",
    "join",
    "truncatewords",
    "cut",
    "first",
    "last",
    "add",
    "pluralize",
    "ljust",
    "rjust",
    "center",
)
for _name in TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name in FILTERS:
    register.filter(_name, defaultfilters.register.filters[_name])
register.filter("long_date", long_date)  # {{ today|long_date }} → "ngày 20 tháng 11 năm 2026"


class _SandboxEngine(Engine):
    default_builtins = []  # not Django's tags, filters and loader tags: only this module's


ENGINE = _SandboxEngine(builtins=["portal.template_sandbox"], libraries={}, autoescape=True, debug=False)


def sandbox_template(source: str):
    """Compile an admin's text (raises TemplateSyntaxError for anything not allowed)."""
    return ENGINE.from_string(source)


def sandbox_render(source: str, context: dict) -> str:
    from django.template import Context

    return sandbox_template(source).render(Context(context, autoescape=True))
