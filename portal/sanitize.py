"""Stored HTML is never trusted: what admins write (catalogue help, result templates) is cleaned
with nh3 down to an allow-list before it is marked safe. No scripts, handlers, styles or
javascript: links survive, so stored text cannot run in a citizen's browser."""

import nh3
from django.utils.safestring import SafeString, mark_safe

# Short help next to a form field: emphasis, links and lists.
INLINE_TAGS = {"a", "b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "small", "code", "span"}
# The body of a result document (a PDF): text structure and tables too.
DOCUMENT_TAGS = INLINE_TAGS | {
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
    "blockquote",
    "sub",
    "sup",
}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "*": {"class"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def rich_text(html, *, tags: set[str] = INLINE_TAGS) -> SafeString:
    """HTML reduced to the allow-list, safe to output as it is."""
    if not html:
        return mark_safe("")  # noqa: S308 (empty)
    cleaned = nh3.clean(
        str(html), tags=tags, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer"
    )
    return mark_safe(cleaned)  # noqa: S308 (nh3 kept only the allow-list)


def document_html(html) -> SafeString:
    return rich_text(html, tags=DOCUMENT_TAGS)
