"""Error pages in the portal's layout and the visitor's language; problem+json under /api/.

Wired as handler400/403/404/500 (portal/urls.py) and CSRF_FAILURE_VIEW. The 500 page is
rendered with no context processors and no user: it must show even when the database is down.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .api.errors import PROBLEM_CONTENT_TYPE, TITLES

logger = logging.getLogger("portal.errors")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _problem(status: int, detail: str) -> JsonResponse:
    title = str(TITLES.get(status, _("Server error")))
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": {}},
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _back_url(request) -> str:
    """Where the visitor came from, when that is a page of ours (a way back without JavaScript)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _page(request, template: str, status: int, **extra) -> HttpResponse:
    context = {"back_url": _back_url(request), "status": status, **extra}
    return render(request, template, context, status=status)


def bad_request(request, exception=None, *, reason: str = ""):
    """The 400 page; views call it with a `reason` the person can act on."""
    if _is_api(request):
        return _problem(400, reason or _("The request could not be understood."))
    return _page(request, "400.html", 400, reason=reason)


def permission_denied(request, exception=None):
    # A PermissionDenied's message is written for the person (and translated): show it.
    reason = str(exception) if exception is not None and exception.args else ""
    if _is_api(request):
        return _problem(403, reason or _("You do not have permission to do this."))
    return _page(request, "403.html", 403, reason=reason)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _problem(404, _("Not found."))
    return _page(request, "404.html", 404)


def server_error(request):
    """No context processors, no user, no query: only what base.html can do without the database."""
    if _is_api(request):
        return _problem(500, _("The portal had a problem. Please try again in a few minutes."))
    try:
        context = {"request": request, "csrf_token": get_token(request), "status": 500}
        html = loader.get_template("500.html").render(context)
    except Exception:  # the error page itself failed: still answer, in plain text
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(
            _("The portal had a problem. Please try again in a few minutes."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(html, status=500)


def csrf_failure(request, reason=""):
    if _is_api(request):
        return _problem(403, _("The security check of this form failed (CSRF)."))
    return _page(request, "403_csrf.html", 403, debug_reason=reason if settings.DEBUG else "")
