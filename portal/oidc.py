"""Sign-in with the national e-identity (a VNeID-style OpenID Connect provider).

Enabled when OIDC_RP_CLIENT_ID is set. The provider verifies the person's ID number, so only an
account holding that number *verified* is signed into directly. An account that merely claims
the number (typed at sign-up) or uses the same email is attached only after the person signs in
to it on the linking page (portal.views.eidentity_link_page); otherwise the person gets an
account of their own and the other account's claim is withdrawn (portal.services).
"""

import logging
import time

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from . import services
from .validators import normalize_phone, validate_personal_id

logger = logging.getLogger(__name__)
# The verified identity waiting for the person to choose on the linking page (in their session).
PENDING = "eidentity_pending"
PENDING_SECONDS = 600


def _claim(claims: dict, setting: str) -> str:
    return str(claims.get(getattr(settings, setting), "") or "").strip()


def identity_from_claims(claims: dict) -> dict:
    return {
        "personal_id": _claim(claims, "OIDC_CLAIM_PERSONAL_ID"),
        "full_name": _claim(claims, "OIDC_CLAIM_FULL_NAME"),
        "email": (claims.get("email") or "").strip().lower(),
        "phone": normalize_phone(claims.get("phone_number", "") or ""),
    }


def pending_identity(request) -> dict | None:
    """The verified identity of this session's e-identity sign-in awaiting a choice, if still fresh."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


class EIdentityBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        """As the library does, but a provider that refuses or fails means no login, not a 500."""
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            logger.warning("e-identity sign-in failed: %s", error)
            return None

    def verify_claims(self, claims):
        # The national e-ID must tell us who the person is: an ID number in the right format.
        try:
            validate_personal_id(_claim(claims, "OIDC_CLAIM_PERSONAL_ID"))
        except Exception:  # noqa: BLE001 - any invalid or missing number refuses the login
            return False
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("e-identity claims without a valid personal ID number")
        identity = identity_from_claims(claims)
        user = services.eidentity_account(personal_id=identity["personal_id"])
        if user is not None:
            return services.eidentity_refresh(user=user, identity=identity)
        if services.eidentity_link_candidates(personal_id=identity["personal_id"], email=identity["email"]).exists():
            # Maybe theirs, maybe someone who typed their number: the person chooses (linking page).
            self.request.session[PENDING] = {**identity, "at": time.time()}
            return None
        return services.eidentity_account_create(identity=identity)


class EIdentityCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: a tampered or replayed callback, a refusal or a provider
    failure lands on the login page with the reason, never on a bare 400."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("e-identity callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        if pending_identity(self.request) is not None:
            return redirect("eidentity_link")
        return redirect(self.failure_url)  # the login page says what happened (?eid=failed)
