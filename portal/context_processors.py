from django.conf import settings

from .constants import StaffRole
from .memberships import memberships


def features(request):
    """Switches templates need: e-identity sign-in, and whether the user is an officer."""
    user = getattr(request, "user", None)
    is_officer = is_desk = False
    if user is not None and user.is_authenticated:
        held = memberships(user)
        is_officer = bool(held)
        is_desk = any(role == StaffRole.RECEPTIONIST for _agency, role in held)  # counter intake
    unread = 0
    if user is not None and user.is_authenticated:
        from .notifications import unread_count

        unread = unread_count(user)
    return {
        "OIDC_ENABLED": settings.OIDC_ENABLED,
        "OIDC_PROVIDER_NAME": settings.OIDC_PROVIDER_NAME,
        "IS_OFFICER": is_officer,
        "IS_DESK": is_desk,
        "UNREAD_NOTIFICATIONS": unread,
    }
