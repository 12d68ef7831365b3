"""Token authentication for integrators: `Authorization: Bearer <token>` (or `Token <token>`).

A token belongs to an ApiClient, which acts as one user. When the client is scoped to agencies,
the user's staff roles are narrowed to those agencies for the request, so the permission rules
(portal.memberships) and the API's dossier scope (portal.api.scope) see the same narrowing.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from portal.memberships import memberships_narrow
from portal.models import ApiClient, ApiToken
from portal.second_factor.services import second_factor_pending

KEYWORDS = (b"bearer", b"token")
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.objects.select_related("client__user").filter(token_hash=ApiToken.hash(raw)).first()
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        client = token.client
        if not client.is_active or client.revoked_at is not None or not client.user.is_active:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        if not token.is_valid():
            raise AuthenticationFailed(_("This token has expired or ended with a password change: make a new one."))
        _narrow_to_client_scope(client)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _narrow_to_client_scope(client: ApiClient) -> None:
    """Agencies of the client (empty: all of the user's); staff roles kept only at those agencies."""
    agencies = frozenset(client.agencies.values_list("pk", flat=True))
    client.scope_agencies = agencies or None
    if agencies:
        memberships_narrow(user=client.user, agencies=agencies)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token of an API client, created in the admin (API clients → Create a token). "
            "`Authorization: Bearer <token>`; `Token <token>` is accepted too.",
        }


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser's session, refused for staff who have not given their second factor yet
    (a token is a factor of its own: ApiTokenAuthentication is not affected)."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and second_factor_pending(found[0]):
            raise PermissionDenied(
                _(
                    "Staff must confirm the sign-in with their second factor first "
                    "(two-step verification at /tai-khoan/xac-thuc/)."
                )
            )
        return found


class VerifiedSessionScheme(SessionScheme):
    target_class = "portal.api.authentication.VerifiedSessionAuthentication"
