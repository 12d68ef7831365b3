from django.conf import settings

from .constants import StaffRole
from .help_pages import help_role_for
from .memberships import memberships


def features(request):
    """Switches templates need: e-identity sign-in, and whether the user is an officer."""
    user = getattr(request, "user", None)
    is_officer = is_desk = is_leader = False
    help_role = None
    if user is not None and user.is_authenticated:
        held = memberships(user)
        is_officer = bool(held)
        is_desk = any(role == StaffRole.RECEPTIONIST for _agency, role in held)  # counter intake
        is_leader = any(role == StaffRole.LEADER for _agency, role in held)  # the destruction list
        help_role = help_role_for(roles={role for _agency, role in held}, is_staff=user.is_staff)
    unread = 0
    if user is not None and user.is_authenticated:
        from .notifications import unread_count

        unread = unread_count(user)
    return {
        "OIDC_ENABLED": settings.OIDC_ENABLED,
        "OIDC_PROVIDER_NAME": settings.OIDC_PROVIDER_NAME,
        "IS_OFFICER": is_officer,
        "IS_DESK": is_desk,
        "IS_LEADER": is_leader,
        "HELP_ROLE": help_role,  # the menu's "Help" goes to this role's page (portal.help_pages)
        "UNREAD_NOTIFICATIONS": unread,
    }
