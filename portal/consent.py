"""Consent to the privacy notice: the current version, who accepted which, and asking again.

A citizen (no staff role) signed in through a browser session whose last acceptance is of an older
version than the current notice is sent to /dieu-khoan/dong-y/ before any other page (accept, or
sign out). The accepted version is kept in the session, so a page costs no query once accepted; the
current version comes from the cache (cleared whenever a notice is saved)."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .client import client_address
from .memberships import memberships
from .models import ConsentRecord, PrivacyNotice

_CACHE_KEY = "privacy-notice-current"
SESSION_KEY = "privacy_consent_version"
# Never held back: the accept page itself, signing out, the notice, static files, the API (tokens).
_OPEN = ("/dieu-khoan/", "/tai-khoan/logout/", "/static/", "/media/", "/api/", "/i18n/", "/healthz", "/metrics")


def current_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(published_at__isnull=False).order_by("-version").first()


def current_version() -> int:
    """The version of the current notice (0: none published yet), from the cache."""
    cached = cache.get(_CACHE_KEY)
    if cached is None:
        notice = current_notice()
        # Kept as text: django-prometheus' cache answers a falsy value (0: no notice) as a miss.
        cached = str(notice.version if notice else 0)
        cache.set(_CACHE_KEY, cached, 300)
    return int(cached)


def notice_changed() -> None:
    cache.delete(_CACHE_KEY)


def accepted_version(user) -> int:
    record = ConsentRecord.objects.filter(user=user).order_by("-version").values_list("version", flat=True).first()
    return record or 0


@transaction.atomic
def consent_record(*, user, notice: PrivacyNotice, ip: str | None, channel: str) -> ConsentRecord:
    """Record that this person accepted this version of the notice (each acceptance is kept)."""
    return ConsentRecord.objects.create(
        user=user, notice=notice, version=notice.version, ip=ip or None, channel=channel
    )


def sign_in_channel(request) -> str:
    if request.session.get(BACKEND_SESSION_KEY, "").endswith("EIdentityBackend"):
        return ConsentRecord.Channel.EID
    return ConsentRecord.Channel.SIGN_IN


def consent_accept(request, notice: PrivacyNotice) -> ConsentRecord:
    record = consent_record(
        user=request.user, notice=notice, ip=client_address(request) or None, channel=sign_in_channel(request)
    )
    request.session[SESSION_KEY] = notice.version
    return record


class ConsentMiddleware:
    """Send a citizen who has not accepted the current notice to the accept page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_ask(request):
            return redirect(reverse("privacy_consent") + "?" + urlencode({"next": request.get_full_path()[:500]}))
        return self.get_response(request)

    @staticmethod
    def _must_ask(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff or request.path.startswith(_OPEN):
            return False
        # Staff are bound by their service rules, not this notice. Free: every page reads the
        # memberships anyway (the menu, the permission rules), once per request.
        if memberships(user):
            return False
        current = current_version()
        if not current or request.session.get(SESSION_KEY, 0) >= current:
            return False
        accepted = accepted_version(user)
        if accepted >= current:
            request.session[SESSION_KEY] = accepted
            return False
        return True
