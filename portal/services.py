"""Use cases of accounts."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .notification_prefs import DEFAULT_KEY, EMAIL, INBOX, SMS
from .notifications import Recipient, notify


class _ActivationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links that finish a registration: activating the account spends the link."""

    key_salt = "portal.services.account_activation"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_tokens = _ActivationTokenGenerator()


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@transaction.atomic
def citizen_register(
    *,
    full_name: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    personal_id: str | None = None,
    language: str = "vi",
) -> User | None:
    """Start a citizen account (validated by the caller's form); it opens from the link we send.

    The answer is the same whether or not the email or phone already has an account, so sign-up
    tells nobody who is registered: a taken address gets a note to its owner instead of a link.
    A typed personal ID number is the person's claim, never verified here.
    """
    taken = list(
        User.objects.filter(
            (Q(email__iexact=email) if email else Q(pk__in=[])) | (Q(phone=phone) if phone else Q(pk__in=[]))
        )
    )
    if len(taken) == 1 and not taken[0].is_active and taken[0].last_login is None:
        # A sign-up never finished (maybe not even by this person): start it again with these
        # details; only whoever holds the address gets the new link, and the old link dies.
        user = taken[0]
        user.full_name, user.personal_id, user.personal_id_verified = full_name, personal_id, False
        user.email, user.phone = email, phone
        user.notification_preferences = _first_preferences(email=email, phone=phone)
        user.set_password(password)
        user.save()
        _send_activation(user, language=language)
        return user
    if taken:
        make_password(password)  # the same work as a real sign-up: no timing oracle
        for owner in taken:
            notify(
                key=f"registration-attempt:{owner.pk}:{timezone.now().isoformat()}",
                event="registration_attempt",
                recipient=Recipient(user=owner, language=language),
                context={
                    "name": owner.full_name,
                    "login_url": _absolute(reverse("login")),
                    "reset_url": _absolute(reverse("password_reset")),
                },
            )
        return None
    user = User.objects.create_user(
        email=email,
        phone=phone,
        password=password,
        full_name=full_name,
        personal_id=personal_id,
        is_active=False,
        notification_preferences=_first_preferences(email=email, phone=phone),
    )
    _send_activation(user, language=language)
    return user


def _first_preferences(*, email, phone) -> dict:
    """Email for who gave one; SMS (once the number is verified) for who signed up by phone only."""
    return {DEFAULT_KEY: [INBOX, EMAIL] if email else [INBOX, SMS]}


def _send_activation(user: User, *, language: str) -> None:
    token = activation_tokens.make_token(user)
    link = _absolute(
        reverse("account_activate", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token})
    )
    # By email when there is one (no inbox copy: the account cannot open yet), else by SMS.
    recipient = (
        Recipient(email=user.email, language=language)
        if user.email
        else Recipient(user=user, language=language, direct=True)
    )
    notify(
        key=f"account-activation:{user.pk}:{token[-12:]}",
        event="account_activation",
        recipient=recipient,
        context={"name": user.full_name, "link": link},
    )


def account_activate(*, uidb64: str, token: str) -> User | None:
    """Open an account from its registration link; None when the link is wrong, used or old."""
    from django.utils.http import urlsafe_base64_decode

    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if user.is_active or not activation_tokens.check_token(user, token):
        return None
    user.is_active = True
    # Without an email the link went by SMS: opening it proves the number.
    user.phone_verified = bool(user.phone and not user.email)
    user.save(update_fields=["is_active", "phone_verified"])
    return user


# --- e-identity (portal/oidc.py) ----------------------------------------------------------------
# An e-identity sign-in carries a personal ID number the national system verified. It signs into
# the account that holds that number verified; else into an existing account only after the person
# signs in to it (eidentity_link); else into a new account of its own. Unverified claims of the
# number on other accounts are withdrawn and their owners told.


def eidentity_account(*, personal_id: str) -> User | None:
    """The account whose personal ID number the e-identity verified before (a deactivated one too:
    the callback then refuses it, rather than handing the person a fresh account)."""
    return User.objects.filter(personal_id=personal_id, personal_id_verified=True).first()


def eidentity_link_candidates(*, personal_id: str, email: str | None):
    """Local accounts that may be this person's: they claim the ID number or use the email."""
    match = Q(personal_id=personal_id, personal_id_verified=False)
    if email:
        match |= Q(email__iexact=email)
    return User.objects.filter(match, is_active=True)


def _withdraw_personal_id_claims(*, personal_id: str, keep: User) -> None:
    for other in User.objects.select_for_update().filter(personal_id=personal_id).exclude(pk=keep.pk):
        other.personal_id, other.personal_id_verified = None, False
        other.save(update_fields=["personal_id", "personal_id_verified"])
        notify(
            key=f"personal-id-withdrawn:{other.pk}:{personal_id}:{timezone.now().isoformat()}",
            event="personal_id_withdrawn",
            recipient=Recipient(user=other),
            context={"name": other.full_name, "personal_id": personal_id, "login_url": _absolute(reverse("login"))},
        )


def _verify(user: User, identity: dict) -> User:
    _withdraw_personal_id_claims(personal_id=identity["personal_id"], keep=user)
    user.personal_id, user.personal_id_verified = identity["personal_id"], True
    user.full_name = identity.get("full_name") or user.full_name
    user.save(update_fields=["personal_id", "personal_id_verified", "full_name"])
    return user


@transaction.atomic
def eidentity_account_create(*, identity: dict) -> User:
    """A new account for a person the e-identity vouches for (no password: they sign in with it)."""
    email = (identity.get("email") or "").lower() or None
    if email and User.objects.filter(email__iexact=email).exists():
        email = None  # that address belongs to an account they have not proved is theirs
    phone = identity.get("phone") or None
    if phone and User.objects.filter(phone=phone).exists():
        phone = None
    user = User.objects.create_user(
        email=email,
        phone=phone or (None if email else identity["personal_id"]),
        password=None,
        full_name=identity.get("full_name", ""),
    )
    return _verify(user, identity)


@transaction.atomic
def eidentity_link(*, user: User, identity: dict) -> User:
    """Attach a verified e-identity to a local account whose owner has just signed in to it."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.personal_id_verified and user.personal_id != identity["personal_id"]:
        raise ValidationError(_("This account is already linked to another person's e-identity."))
    return _verify(user, identity)


def eidentity_refresh(*, user: User, identity: dict) -> User:
    """The e-identity is authoritative for the name."""
    name = identity.get("full_name") or user.full_name
    if name != user.full_name:
        user.full_name = name
        user.save(update_fields=["full_name"])
    return user


# Personal API clients: a person makes tokens for their own scripts or apps (the admin makes
# integrators' clients, which may be narrowed to agencies).
PERSONAL_CLIENTS_MAX = 5


@transaction.atomic
def api_client_create(*, user: User, name: str):
    """A client acting as ``user`` with one token; the raw token is returned once, never stored."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import ApiClient

    name = (name or "").strip()
    if not name or len(name) > 150:
        raise ValidationError({"name": [_("Give the token a name of at most 150 characters.")]})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per person
    if ApiClient.objects.filter(user=user, is_active=True).count() >= PERSONAL_CLIENTS_MAX:
        raise ValidationError(_("You have %(max)d active tokens: revoke one first.") % {"max": PERSONAL_CLIENTS_MAX})
    # A staff member's token reaches only the agencies of their roles (never the whole province
    # that admin-site access shows); admins without a role get integration clients from the admin.
    agencies = set(user.memberships.values_list("agency_id", flat=True))
    if user.is_staff and not agencies:
        raise ValidationError(_("Administrators without an agency role get API clients from the admin site."))
    client = ApiClient.objects.create(name=name, user=user)
    if agencies:
        client.agencies.set(agencies)
    _token, raw = client.issue_token()
    return client, raw


def api_client_revoke(*, user: User, client_id: int) -> None:
    """Revoke one of the person's own clients (and its tokens): 401 from the next call."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import ApiClient

    client = ApiClient.objects.filter(user=user, pk=client_id, is_active=True).first()
    if client is None:
        raise ValidationError(_("This token does not exist or is already revoked."))
    client.revoke()
