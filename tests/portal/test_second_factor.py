"""The second factor for staff: enrolment on the first sign-in, verification with the app's code or
a recovery code (once), throttled wrong codes, the admin's reset; citizens and tokens unaffected."""

import io
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.constants import StaffRole
from portal.models import AgencyMembership
from portal.second_factor import services
from tests.api.conftest import api_for
from tests.dossiers.factories import CitizenFactory
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login, totp_code

pytestmark = pytest.mark.django_db

QUEUE = "/can-bo/ho-so/"
ENROL = "/tai-khoan/xac-thuc/thiet-lap/"
VERIFY = "/tai-khoan/xac-thuc/"
SESSION_API = "/api/v1/queue/"


@pytest.fixture
def officer():
    user = CitizenFactory(full_name="Cán bộ Một cửa")
    AgencyMembership.objects.create(user=user, agency=AgencyFactory(), role=StaffRole.RECEPTIONIST)
    return user


@pytest.fixture
def admin():
    return CitizenFactory(full_name="Quản trị", is_staff=True, is_superuser=True)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A user who set up the app (device confirmed) and got recovery codes, as enrolment leaves them."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device, services.recovery_codes_regenerate(user=user)


def unthrottle(user) -> None:
    """Forget the wrong attempts: a wrong code makes the device wait 1 s, which a test must not."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def signed_in(user, *, language="en") -> Client:
    """Signed in with the password only (the first factor); messages in English to check wording
    (the Vietnamese texts come from the catalogue)."""
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_staff_without_a_device_are_sent_to_enrolment_for_the_queue_admin_and_session_api(request, who):
    client = signed_in(request.getfixturevalue(who))

    for page in (QUEUE, "/admin/", "/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ENROL + "?next="), page
    api = client.get(SESSION_API)
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/problem+json")
    # Still open: the enrolment page, the language switch, sign-out, health and static files.
    assert client.get(ENROL).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/css/portal.css").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/tai-khoan/logout/").status_code == 302
    assert client.get(QUEUE)["Location"].startswith("/tai-khoan/dang-nhap/")  # signed out now


def test_staff_with_a_device_are_sent_to_verification(officer):
    enrolled(officer)
    client = signed_in(officer)

    assert client.get(QUEUE)["Location"] == VERIFY + "?next=%2Fcan-bo%2Fho-so%2F"
    assert client.get(ENROL)["Location"] == VERIFY  # no second enrolment with the password alone
    fragment = client.get(QUEUE, headers={"HX-Request": "true"})  # htmx: the whole page goes, not a fragment
    assert fragment.status_code == 204 and fragment["HX-Redirect"].startswith(VERIFY)
    assert client.get(SESSION_API).status_code == 403


def test_the_password_sign_in_of_staff_leads_straight_to_the_second_factor(officer):
    enrolled(officer)
    client = Client()

    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": officer.email, "password": "Mat-khau-2026", "next": QUEUE}
    )
    assert response["Location"] == VERIFY + "?next=%2Fcan-bo%2Fho-so%2F"
    assert client.get(QUEUE).status_code == 302  # signed in, but not through yet


def test_a_citizen_is_not_asked():
    citizen = CitizenFactory()
    client = signed_in(citizen)

    assert client.get("/ho-so/").status_code == 200
    assert client.get("/tai-khoan/api/").status_code == 200
    signed = Client().post("/tai-khoan/dang-nhap/", {"username": citizen.email, "password": "Mat-khau-2026"})
    assert signed["Location"] == "/"
    assert client.get(ENROL)["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_enrolment_shows_the_secret_and_qr_then_a_valid_code_opens_the_queue_and_codes_show_once(officer):
    client = signed_in(officer)

    page = client.get(ENROL + "?next=/can-bo/ho-so/")
    html = page.content.decode()
    secret = page.context["secret"]
    assert secret in html and "otpauth://totp/" in html and "<svg" in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert client.get(ENROL).context["secret"] == secret  # the same secret until confirmed

    wrong = client.post(ENROL, {"code": "000000" if totp(b32decode(secret)) != 0 else "111111"})
    assert wrong.status_code == 400
    assert "This code is wrong or has expired" in wrong.content.decode()
    assert client.get(QUEUE).status_code == 302

    unthrottle(officer)  # throttling itself is tested below, without waiting
    done = client.post(ENROL, {"code": f"{totp(b32decode(secret)):06d}", "next": QUEUE})
    assert done["Location"] == "/tai-khoan/xac-thuc/ma-du-phong/"
    codes_page = client.get(done["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert codes_page.context["after"] == QUEUE
    assert client.get("/tai-khoan/xac-thuc/ma-du-phong/")["Location"] == "/tai-khoan/xac-thuc/thiet-bi/"  # once
    assert client.get(QUEUE).status_code == 200
    assert client.get(SESSION_API).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 10


def test_a_valid_app_code_opens_the_queue_and_the_admin(admin):
    enrolled(admin)
    client = signed_in(admin)

    response = client.post(VERIFY, {"code": totp_code(admin), "next": QUEUE})
    assert response["Location"] == QUEUE
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 200


def test_a_recovery_code_works_once(officer):
    _device, codes = enrolled(officer)

    first = signed_in(officer)
    assert first.post(VERIFY, {"recovery_code": codes[0].upper(), "next": QUEUE})["Location"] == QUEUE
    assert first.get(QUEUE).status_code == 200

    again = signed_in(officer)
    refused = again.post(VERIFY, {"recovery_code": codes[0]})
    assert refused.status_code == 400
    assert "This code is wrong or has expired" in refused.content.decode()
    assert again.get(QUEUE).status_code == 302
    assert services.recovery_codes_left(officer) == 9


def test_a_wrong_code_is_refused_counted_and_throttled(officer):
    device, _codes = enrolled(officer)
    client = signed_in(officer)

    wrong = client.post(VERIFY, {"code": "12345"})
    assert wrong.status_code == 400
    assert "This code is wrong or has expired" in wrong.content.decode()
    device_wrong = client.post(VERIFY, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert device_wrong.status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get(QUEUE).status_code == 302

    # After ten wrong codes the device waits 512 s: even the right code is refused meanwhile.
    from django.utils import timezone

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    locked = client.post(VERIFY, {"code": totp_code(device)})
    assert locked.status_code == 400
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get(QUEUE).status_code == 302


def test_a_token_is_its_own_factor(officer):
    assert api_for(officer).get(SESSION_API).status_code == 200


def test_the_next_page_must_be_on_this_site(officer):
    enrolled(officer)
    client = signed_in(officer)

    assert client.post(VERIFY, {"code": totp_code(officer), "next": "https://evil.example/"})["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(officer):
    _device, old = enrolled(officer)
    client = staff_login(Client(), officer)

    page = client.get("/tai-khoan/xac-thuc/thiet-bi/")
    assert page.status_code == 200 and page.context["codes_left"] == 10
    shown = client.get(client.post("/tai-khoan/xac-thuc/thiet-bi/")["Location"]).context["codes"]
    assert set(shown).isdisjoint(old)

    later = signed_in(officer)
    assert later.post(VERIFY, {"code": old[1]}).status_code == 400
    unthrottle(officer)
    assert later.post(VERIFY, {"code": shown[0], "next": QUEUE})["Location"] == QUEUE


def test_an_admin_resets_a_staff_members_devices_and_they_enrol_again(officer, admin):
    enrolled(officer)
    officer_client = staff_login(Client(), officer)
    assert officer_client.get(QUEUE).status_code == 200
    admin_client = staff_login(Client(), admin)

    response = admin_client.post(
        "/admin/portal/user/", {"action": "reset_second_factor", "_selected_action": [officer.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert officer_client.get(QUEUE)["Location"].startswith(ENROL)  # the verified session lost it too


def test_seed_demo_enrols_the_demo_secret_only_when_asked_with_debug_off(settings):
    from demo.seed import DEMO_TOTP_SECRET

    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not TOTPDevice.objects.exists()

    call_command("seed_demo", "--demo-second-factor", stdout=io.StringIO())
    keys = set(TOTPDevice.objects.values_list("user__email", "key"))
    demo_key = b32decode(DEMO_TOTP_SECRET).hex()
    assert keys == {
        (email, demo_key)
        for email in (
            "tiepnhan@demo.motcua.vn",
            "chuyenvien@demo.motcua.vn",
            "congan@demo.motcua.vn",  # the consulted agency's specialist
            "lanhdao@demo.motcua.vn",
            "quantri@demo.motcua.vn",
        )
    }
