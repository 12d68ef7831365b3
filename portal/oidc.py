"""Sign-in with the national e-identity (a VNeID-style OpenID Connect provider).

Enabled when OIDC_RP_CLIENT_ID is set. The provider's ID number and name fill the profile;
an account is matched by personal ID number first, then by email.
"""

import logging

import requests
from django.conf import settings
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User
from .validators import normalize_phone, validate_personal_id


def _claim(claims: dict, setting: str) -> str:
    return str(claims.get(getattr(settings, setting), "") or "").strip()


logger = logging.getLogger(__name__)


class EIdentityBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        """As the library does, but a provider that refuses or fails means no login, not a 500."""
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            logger.warning("e-identity sign-in failed: %s", error)
            return None
    def filter_users_by_claims(self, claims):
        personal_id = _claim(claims, "OIDC_CLAIM_PERSONAL_ID")
        if personal_id:
            found = User.objects.filter(personal_id=personal_id)
            if found.exists():
                return found
        email = (claims.get("email") or "").strip().lower()
        return User.objects.filter(email__iexact=email) if email else User.objects.none()

    def verify_claims(self, claims):
        # The national e-ID must tell us who the person is: an ID number in the right format.
        personal_id = _claim(claims, "OIDC_CLAIM_PERSONAL_ID")
        try:
            validate_personal_id(personal_id)
        except Exception:  # noqa: BLE001 - any invalid or missing number refuses the login
            return False
        return True

    @transaction.atomic
    def create_user(self, claims):
        phone = normalize_phone(claims.get("phone_number", "")) or None
        if phone and User.objects.filter(phone=phone).exists():
            phone = None
        return User.objects.create_user(
            email=(claims.get("email") or "").lower() or None,
            phone=phone or (None if claims.get("email") else _claim(claims, "OIDC_CLAIM_PERSONAL_ID")),
            password=None,
            full_name=_claim(claims, "OIDC_CLAIM_FULL_NAME"),
            personal_id=_claim(claims, "OIDC_CLAIM_PERSONAL_ID"),
        )

    def update_user(self, user, claims):
        """The e-ID is authoritative for the name and the ID number."""
        user.full_name = _claim(claims, "OIDC_CLAIM_FULL_NAME") or user.full_name
        user.personal_id = _claim(claims, "OIDC_CLAIM_PERSONAL_ID") or user.personal_id
        user.save(update_fields=["full_name", "personal_id"])
        return user
