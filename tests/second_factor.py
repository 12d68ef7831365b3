"""The one way tests pass a staff member's second factor.

- `staff_login(client, user)`: a Django test client signed in AND verified (what
  django_otp.login does after a good code: the device's id in the session).
- `totp_code(user)`: the code an authenticator app would show for the user's device now, at the
  next time step the device still accepts (each step is accepted once), for tests that type it.
- `pass_second_factor(page, user)`: in Playwright, on the verification page after the password,
  type that code and submit.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    """The user's TOTP device, enrolled now with a random key if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def staff_login(client, user):
    """force_login, then mark the session verified by the user's device."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()
    return client


def totp_code(user_or_device) -> str:
    """The 6 digits for the device's next unused time step: now, else the next one.

    A device accepts each step once (last_t): a test signing the same person in again within 30 s
    gets the next step's code, and past that the device's last step is moved back so that "now"
    is accepted again (a test never waits for the clock). Never the previous step: the clock may
    tick before the server checks it."""
    device = (
        user_or_device
        if isinstance(user_or_device, TOTPDevice)
        else (TOTPDevice.objects.filter(user=user_or_device).order_by("-confirmed", "pk").first())
    )
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    now_t = totp.t()
    step = max(now_t, device.last_t + 1)
    if step > now_t + device.tolerance:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=now_t - 1)
        step = now_t
    totp.drift += step - now_t
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(page, user):
    """On the verification page the password sign-in led to: type the app's code and submit.
    `user` may be an email (the demo accounts, enrolled with DEMO_TOTP_SECRET by seed_demo)."""
    if isinstance(user, str):
        from portal.models import User

        user = User.objects.get(email=user)
    assert "/tai-khoan/xac-thuc/" in page.url, page.url
    page.locator("#id_code").fill(totp_code(user))
    with page.expect_navigation():
        page.locator("#second-factor-submit").click()
