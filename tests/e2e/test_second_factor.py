"""A desk officer's first sign-in in the real browser: after the password the portal asks to set up
an authenticator app (the secret as text, an otpauth:// link and a QR code drawn as inline SVG); a
wrong code is refused and the queue stays closed; the code computed from the secret on the page
(django_otp.oath, as an app would) opens it, after the recovery codes are shown once."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-2026"  # tests.dossiers.factories.CitizenFactory's


@pytest.fixture
def desk_officer():
    from portal.constants import StaffRole
    from portal.models import AgencyMembership
    from tests.dossiers.factories import CitizenFactory
    from tests.procedures.factories import AgencyFactory

    user = CitizenFactory(full_name="Trần Thị Bình")
    AgencyMembership.objects.create(user=user, agency=AgencyFactory(), role=StaffRole.RECEPTIONIST)
    return user


def test_first_sign_in_enrols_totp_and_opens_the_queue_only_after_a_valid_code(
    live_server, page, desk_officer, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling is unit-tested; here the right code follows a wrong one
    queue = live_server.url + "/can-bo/ho-so/"
    page.goto(live_server.url + "/tai-khoan/dang-nhap/?next=/can-bo/ho-so/")
    page.locator("#id_username").fill(desk_officer.email)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()

    assert page.url.startswith(live_server.url + "/tai-khoan/xac-thuc/thiet-lap/")
    secret = page.locator("#totp-secret").inner_text().strip()
    assert page.locator("#totp-uri").get_attribute("href").startswith("otpauth://totp/")
    assert f"secret={secret}" in page.locator("#totp-uri").get_attribute("href")
    assert page.locator("figure svg path").count() == 1  # the QR code, drawn here
    code_input = page.locator("#id_code")
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    assert code_input.get_attribute("inputmode") == "numeric"
    right = f"{totp(b32decode(secret)):06d}"

    # A wrong code: refused, said so next to the field, and the queue stays closed.
    code_input.fill("000000" if right != "000000" else "111111")
    with page.expect_navigation():
        page.locator("#second-factor-submit").click()
    assert page.locator(".field__errors[role=alert]").count() == 1
    page.goto(queue)
    assert page.url.startswith(live_server.url + "/tai-khoan/xac-thuc/thiet-lap/?next=")
    assert page.locator("#totp-secret").inner_text().strip() == secret  # the same secret until confirmed

    # The right code: the recovery codes, once, then the queue.
    page.locator("#id_code").fill(f"{totp(b32decode(secret)):06d}")
    with page.expect_navigation():
        page.locator("#second-factor-submit").click()
    assert page.url == live_server.url + "/tai-khoan/xac-thuc/ma-du-phong/"
    assert page.locator("#recovery-codes li").count() == 10
    with page.expect_navigation():
        page.locator("#recovery-codes-done").click()
    assert page.url == queue
    assert page.locator("nav a[href='/can-bo/ho-so/']").count() == 1  # the officer's menu: the queue is open
