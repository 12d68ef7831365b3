"""The one place that decides a request's client address.

Behind N trusted reverse proxies (TRUSTED_PROXY_COUNT), each proxy appends the address it saw
to X-Forwarded-For, so only the last N entries were written by someone we trust: the Nth from
the right is the client. Everything to its left is whatever the client sent and is ignored.
With no proxy (0, the default) the header is ignored and REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or the address the trusted proxies saw."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones, and the leftmost entry was
    # still written by a trusted proxy.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _valid(candidate) or remote
