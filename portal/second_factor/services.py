"""Use cases of the second factor: enrol a TOTP device, verify a code, renew recovery codes,
reset a staff member's devices. Views, the admin, seed_demo and the API share them."""

from base64 import b32encode
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.memberships import memberships

RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
# The recovery codes just made, kept in the session only until the page that shows them once.
NEW_CODES_SESSION_KEY = "second_factor_new_codes"


def second_factor_required(user) -> bool:
    """Staff (admin site access or any role at an agency) must give a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    # Read once per request (portal.memberships): no second query on the officers' pages.
    return bool(memberships(user))


def second_factor_pending(user) -> bool:
    """Signed in as staff with a password but no verified device yet in this session.

    Without django-otp's middleware there is no is_verified(): counted as not verified."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():  # first: no query about roles for verified staff
        return False
    return second_factor_required(user)


def totp_device_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, no padding."""
    return b32encode(device.bin_key).decode().rstrip("=")


def totp_uri(device: TOTPDevice, *, label: str | None = None) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (issuer: OTP_TOTP_ISSUER)."""
    from urllib.parse import quote, urlencode

    from django.conf import settings

    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    label = label or device.user.email or device.user.phone
    query = urlencode(
        {
            "secret": totp_secret(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(issuer)}:{quote(label)}?{query}"


def second_factor_enrol_start(*, user) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (the same one until confirmed)."""
    if totp_device_of(user) is not None:
        raise ValidationError(_("A second factor is already set up for this account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def second_factor_enrol_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the enrolment with a code from the app; return the device and new recovery codes."""
    code = _digits(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or totp_device_of(user) is not None:
            raise ValidationError(_("Open the set-up page again: there is no second factor waiting to be confirmed."))
        _refuse_if_throttled(device)
        verified = bool(code) and device.verify_token(code)  # a wrong code is counted (throttling)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _new_recovery_codes(user)
    if not verified:  # after the block, so that the failure count is kept
        raise ValidationError(_("This code is wrong or has expired. Enter the 6-digit code the app shows now."))
    return device, codes


def second_factor_verify(*, user, code: str):
    """The device that accepts `code` (6 digits: the app; otherwise a recovery code, used up)."""
    from django_otp import verify_token

    raw = (code or "").strip()
    if _digits(raw).isdigit() and len(_digits(raw)) == 6:
        device, token = totp_device_of(user), _digits(raw)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        token = raw.replace(" ", "").replace("-", "").lower()
    if device is None or not token:
        raise ValidationError(_wrong_code_message())
    _refuse_if_throttled(device)
    verified = verify_token(user, device.persistent_id, token)
    if verified is None:
        raise ValidationError(_wrong_code_message())
    return verified


def second_factor_login(*, request, device) -> None:
    """Mark this session as verified by `device` (a new session key: no fixation across the step)."""
    request.session.cycle_key()
    otp_login(request, device)


def recovery_codes_regenerate(*, user) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if totp_device_of(user) is None:
        raise ValidationError(_("Set up the authenticator app first."))
    with transaction.atomic():
        return _new_recovery_codes(user)


@transaction.atomic
def second_factor_reset(*, user) -> int:
    """Remove every device of a staff member (lost phone): they enrol again at the next page.

    Sessions verified by a removed device lose their verification at their next request."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed


def demo_totp_device_ensure(*, user, secret: str) -> TOTPDevice:
    """Enrol a demo account with the demo secret (base32), unless it already has its own device.
    seed_demo decides whether demo devices may exist at all (never in production by default)."""
    from base64 import b32decode

    device = totp_device_of(user)
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="demo", key=b32decode(secret).hex(), confirmed=True)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


def _digits(code: str) -> str:
    return (code or "").replace(" ", "").replace("-", "").strip()


def _refuse_if_throttled(device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        locked_until: datetime | None = (data or {}).get("locked_until")
        seconds = max(int((locked_until - timezone.now()).total_seconds()) + 1, 1) if locked_until else 1
        raise ValidationError(
            _("Too many wrong codes. Wait %(seconds)d seconds, then enter the code your app shows now.")
            % {"seconds": seconds}
        )


def _wrong_code_message() -> str:
    return _(
        "This code is wrong or has expired. Enter the 6-digit code your authenticator app shows now, "
        "or one of your recovery codes."
    )
