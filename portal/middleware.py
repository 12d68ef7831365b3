"""Shorter sessions for staff: signed out after an idle spell and after a working day.

Citizens keep Django's session lifetime. Staff (admin-site access or any agency role) hold
other people's data, so STAFF_SESSION_IDLE_MINUTES without a request, or STAFF_SESSION_MAX_HOURS
after signing in, end the session; the next page asks them to sign in again.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

SINCE, SEEN = "staff_session_since", "staff_session_seen"
# The last-seen stamp is written at most this often, not on every request (a session write each).
TOUCH_EVERY_SECONDS = 60


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff_member:
            expired = self._check(request)
            if expired:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # anonymous from here: the API answers 401/403
                messages.info(request, _("You were signed out after a period without activity. Sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _check(request) -> bool:
        """True when the session is past its limits; else stamp it."""
        now = int(time.time())
        session = request.session
        since, seen = session.get(SINCE), session.get(SEEN)
        if since is None or seen is None:
            session[SINCE] = session[SEEN] = now
            return False
        if (
            now - seen > settings.STAFF_SESSION_IDLE_MINUTES * 60
            or now - since > settings.STAFF_SESSION_MAX_HOURS * 3600
        ):
            return True
        if now - seen >= TOUCH_EVERY_SECONDS:
            session[SEEN] = now
        return False
