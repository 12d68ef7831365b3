"""Sign-in lockout (django-axes): who a failed attempt counts against, and what a locked-out
person sees.

Failures count per address (portal.client.client_address) and per account, each locked for
AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures; an admin unlocks early by deleting the
entry under Axes → Access attempts.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from .validators import normalize_phone


def login_key(request, credentials) -> str:
    """The account a sign-in names, as the backend reads it: one key per account, however typed."""
    login = str((credentials or {}).get("username") or request.POST.get("username", "") or "").strip()
    if not login:
        return ""
    key = login.lower() if "@" in login else normalize_phone(login)
    from .models import User

    # An account's email and phone are one account: count them together.
    lookup = {"email__iexact": key} if "@" in key else {"phone": key}
    pk = User.objects.filter(**lookup).values_list("pk", flat=True).first()
    return f"user:{pk}" if pk else key


def lockout_response(request, original_response=None, credentials=None):
    """The login page again with the reason, status 429, instead of axes' bare page."""
    from .forms import LoginForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-ins. For your safety, signing in is paused for %(minutes)d minutes. "
        "Try again later, or reset your password."
    ) % {"minutes": minutes}
    form = LoginForm(request, data=None)
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=429,
    )
