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


# --- Profile (/tai-khoan/thong-tin/) ------------------------------------------------------------


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, date_of_birth, address: str) -> User:
    """Personal details (validated by the caller's form); drafts opened later are prefilled from
    them. A name the e-identity verified is its name, not the person's to change here."""
    fields = ["date_of_birth", "address"]
    user.date_of_birth, user.address = date_of_birth, (address or "").strip()
    if not user.personal_id_verified:
        user.full_name = full_name.strip()
        fields.append("full_name")
    user.save(update_fields=fields)
    return user


def user_address_remember(*, user: User, address: str) -> None:
    """Keep the address typed on a dossier as the profile's address (for the next dossier)."""
    address = (address or "").strip()[:255]
    if address and address != user.address:
        user.address = address
        user.save(update_fields=["address"])


def user_notification_preferences_update(*, user: User, choices: dict[str, list[str]]) -> User:
    """Save the channels chosen per topic; the ones a topic cannot turn off stay on."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .notification_prefs import CHANNELS, topics

    known = {topic.key: topic for topic in topics()}
    if set(choices) - set(known) or any(set(chosen) - set(CHANNELS) for chosen in choices.values()):
        raise ValidationError(_("Unknown notification choice."))
    preferences = {
        key: sorted(set(choices.get(key, ())) | topic.always, key=CHANNELS.index) for key, topic in known.items()
    }
    user.notification_preferences = {**(user.notification_preferences or {}), **preferences}
    user.save(update_fields=["notification_preferences"])
    return user


# --- Phone verification by a one-time code ------------------------------------------------------
PHONE_CODE_MINUTES = 10
PHONE_CODE_ATTEMPTS = 5
PHONE_CODE_RESEND_SECONDS = 60
PHONE_CODES_PER_HOUR = 5


def _phone_code_hash(user: User, phone: str, code: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "portal.services.phone_verification", f"{user.pk}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def phone_verification_start(*, user: User, phone: str, language: str = "vi"):
    """Send a 6-digit code by SMS to the number the person wants verified (theirs or a new one).

    The number becomes the account's only once the right code comes back (phone_verification_check).
    At most one code a minute and PHONE_CODES_PER_HOUR an hour per person."""
    import secrets
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .channels import ChannelError, sender
    from .models import PhoneVerification
    from .validators import normalize_phone, validate_phone

    phone = normalize_phone(phone or "")
    validate_phone(phone)
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one code at a time per person
        recent = list(PhoneVerification.objects.filter(user=user, created_at__gte=now - timedelta(hours=1)))
        if recent and (now - recent[0].created_at).total_seconds() < PHONE_CODE_RESEND_SECONDS:
            wait = PHONE_CODE_RESEND_SECONDS - int((now - recent[0].created_at).total_seconds())
            raise ValidationError(
                _("A code was just sent. Ask for a new one in %(seconds)d seconds.") % {"seconds": wait}
            )
        if len(recent) >= PHONE_CODES_PER_HOUR:
            raise ValidationError(_("Too many codes were sent in the last hour. Please try again later."))
        code = f"{secrets.randbelow(10**6):06d}"
        verification = PhoneVerification.objects.create(
            user=user,
            phone=phone,
            code_hash=_phone_code_hash(user, phone, code),
            expires_at=now + timedelta(minutes=PHONE_CODE_MINUTES),
        )
    with translation.override(language):
        body = _(
            "Một Cửa: your verification code is %(code)s. It is valid for %(minutes)d minutes. "
            "Do not give it to anyone."
        ) % {"code": code, "minutes": PHONE_CODE_MINUTES}
    try:
        sender("sms")(phone, "", body)  # straight to the provider: the code is never stored in clear
    except ChannelError:
        verification.delete()
        raise ValidationError(_("The code could not be sent. Please try again in a few minutes.")) from None
    return verification


def phone_verification_check(*, user: User, code: str) -> User:
    """The code sent last: right, in time and within PHONE_CODE_ATTEMPTS tries, it verifies its number."""
    from django.core.exceptions import ValidationError

    with transaction.atomic():  # a wrong try is counted (committed) before the refusal is raised
        user, problem = _phone_verification_check(user=user, code=code)
    if problem:
        raise ValidationError(problem)
    return user


def _phone_verification_check(*, user: User, code: str) -> tuple[User, str]:
    from django.utils.crypto import constant_time_compare
    from django.utils.translation import gettext as _

    from .models import PhoneVerification

    now = timezone.now()
    verification = PhoneVerification.objects.select_for_update().filter(user=user, used_at__isnull=True).first()
    if verification is None or verification.expires_at <= now or verification.attempts >= PHONE_CODE_ATTEMPTS:
        return user, _("This code is no longer valid. Ask for a new code.")
    verification.attempts += 1
    verification.save(update_fields=["attempts"])
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not constant_time_compare(verification.code_hash, _phone_code_hash(user, verification.phone, code)):
        left = PHONE_CODE_ATTEMPTS - verification.attempts
        if left <= 0:
            return user, _("The code is wrong and no tries are left. Ask for a new code.")
        return user, _("The code is wrong. %(left)d tries left.") % {"left": left}
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.phone != verification.phone:
        # Only now, once the person has shown they hold the number, do we say it is taken.
        if User.objects.filter(phone=verification.phone).exclude(pk=user.pk).exists():
            return user, _(
                "This number is the sign-in number of another account. Sign in to that account, or ask the desk."
            )
        user.phone = verification.phone
        user.save(update_fields=["phone"])  # a new number: verified only below
    user.phone_verified = True
    user.save(update_fields=["phone_verified"])
    PhoneVerification.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    return user, ""
