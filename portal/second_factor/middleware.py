"""Keep every page closed to staff signed in with only a password, until the second factor.

A step after the password sign-in (whatever signed them in: the login form, the admin's,
the e-identity): django-otp's OTPMiddleware says whether the session's device is verified;
this one sends an unverified staff member to enrolment (no device yet) or verification.
The API is left to its authentication classes (a token is its own factor; a session is checked
there, see portal.api.authentication)."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import second_factor_pending, totp_device_of

# Paths that stay open before the second factor (prefixes).
OPEN_PREFIXES = ("/api/v1/",)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None:
            return self.get_response(request)
        if not user.is_authenticated:
            return self._after_sign_in(request, self.get_response(request))
        if self._is_open(request.path_info) or not second_factor_pending(user):
            return self.get_response(request)
        return self._to_second_factor(request, user)

    def _after_sign_in(self, request, response):
        """A password sign-in of staff (the login form, the admin's, the e-identity callback)
        redirects straight to the second factor with the same next page: one round trip less
        than landing on a page that sends them there."""
        user = getattr(request, "user", None)  # auth.login() replaced it with the signed-in user
        if (
            response.status_code in (301, 302, 303)
            and not self._is_open(request.path_info)
            and user is not None
            and user.is_authenticated
            and second_factor_pending(user)
        ):
            response["Location"] = self._second_factor_url(user, response["Location"])
        return response

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:  # reversed once: URLconf is loaded by the first request
            self._open_paths = frozenset(
                reverse(name)
                for name in (
                    "second_factor_verify",
                    "second_factor_enrol",
                    "logout",
                    "admin:logout",
                    "set_language",
                    "healthz",
                )
            )
        return (
            path in self._open_paths
            or path.startswith(OPEN_PREFIXES)
            or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        )

    @staticmethod
    def _second_factor_url(user, next_url: str | None) -> str:
        name = "second_factor_verify" if totp_device_of(user) is not None else "second_factor_enrol"
        return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")

    def _to_second_factor(self, request, user):
        url = self._second_factor_url(user, request.get_full_path() if request.method == "GET" else None)
        if request.headers.get("HX-Request"):  # htmx would swap the page into a fragment
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
