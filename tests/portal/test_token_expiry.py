"""Finding 11: API tokens expire and end with a password change; a password change (or reset)
ends the person's other sessions; staff tokens reach only their agencies; staff sessions end
after an idle spell and after a working day."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.constants import StaffRole
from portal.middleware import SEEN, SINCE
from portal.models import AgencyMembership, ApiClient, ApiToken, User
from tests.dossiers.factories import CitizenFactory
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db
PASSWORD = "Khong-doan-duoc-2026"
NEW_PASSWORD = "Mat-khau-moi-that-dai-2026"


def token_for(user) -> str:
    return ApiClient.objects.create(name="app", user=user).issue_token()[1]


def api_status(raw) -> int:
    return Client().get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def signed_in(email=None, password=PASSWORD):
    user = User.objects.create_user(email=email or "hoa@example.vn", password=password, full_name="Hoa")
    browser = Client()
    assert browser.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": password}).status_code == 302
    return user, browser


def is_signed_in(browser) -> bool:
    return browser.get("/").context["user"].is_authenticated


def test_a_token_expires_after_api_token_days():
    raw = token_for(CitizenFactory())
    token = ApiToken.objects.get()
    assert abs(token.expires_at - token.created_at - timedelta(days=settings.API_TOKEN_DAYS)) < timedelta(minutes=1)
    assert api_status(raw) == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_status(raw) == 401


def test_a_password_change_ends_the_tokens_and_the_other_sessions():
    user, browser = signed_in()
    other_browser = Client()
    other_browser.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": PASSWORD})
    raw = token_for(user)
    assert api_status(raw) == 200 and is_signed_in(other_browser)

    response = browser.post(
        "/tai-khoan/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_status(raw) == 401
    assert not is_signed_in(other_browser)
    assert is_signed_in(browser)  # the session that changed it goes on
    assert api_status(token_for(user)) == 200  # a token made afterwards works


def test_a_password_reset_ends_the_tokens_and_the_sessions():
    user, browser = signed_in()
    raw = token_for(user)
    Client().post("/tai-khoan/password_reset/", {"email": user.email})
    link = next(word for word in mail.outbox[0].body.split() if "/tai-khoan/reset/" in word)
    resetting = Client()
    page = resetting.get(link, follow=True)
    resetting.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert api_status(raw) == 401 and not is_signed_in(browser)


@pytest.mark.redis
def test_a_password_change_ends_other_sessions_kept_in_redis(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user, browser = signed_in()
    other_browser = Client()
    other_browser.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": PASSWORD})
    assert is_signed_in(other_browser)
    browser.post(
        "/tai-khoan/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert not is_signed_in(other_browser) and is_signed_in(browser)


def test_a_staff_members_personal_token_reaches_only_their_agencies(client):
    mine, other = AgencyFactory(), AgencyFactory()
    officer = CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=mine, role=StaffRole.RECEPTIONIST)
    staff_login(client, officer)
    assert client.post("/tai-khoan/api/", {"name": "kịch bản"}).status_code == 201
    made = ApiClient.objects.get(user=officer)
    assert set(made.agencies.all()) == {mine}
    assert other not in made.agencies.all()


def test_an_admin_without_an_agency_role_gets_no_province_wide_personal_token(client):
    admin = CitizenFactory(is_staff=True)
    staff_login(client, admin)
    response = client.post("/tai-khoan/api/", {"name": "toàn tỉnh"})
    assert response.status_code == 200 and not ApiClient.objects.exists()


def test_a_citizens_personal_token_is_not_narrowed(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    client.post("/tai-khoan/api/", {"name": "app"})
    assert not ApiClient.objects.get().agencies.exists()


def _officer_browser():
    officer = CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=AgencyFactory(), role=StaffRole.SPECIALIST)
    browser = Client()
    staff_login(browser, officer)
    assert is_signed_in(browser)  # the first request stamps the session
    return officer, browser


def _age_session(browser, *, since_seconds: int, seen_seconds: int) -> None:
    now = int(time.time())
    session = browser.session
    session[SINCE], session[SEEN] = now - since_seconds, now - seen_seconds
    session.save()


def test_staff_are_signed_out_after_the_idle_timeout():
    _officer, browser = _officer_browser()
    _age_session(browser, since_seconds=3600, seen_seconds=settings.STAFF_SESSION_IDLE_MINUTES * 60 + 60)
    response = browser.get("/ho-so/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert not is_signed_in(browser)


def test_staff_are_signed_out_after_the_absolute_lifetime_even_when_active():
    _officer, browser = _officer_browser()
    _age_session(browser, since_seconds=settings.STAFF_SESSION_MAX_HOURS * 3600 + 60, seen_seconds=10)
    assert browser.get("/").status_code == 302
    assert not is_signed_in(browser)


def test_an_active_staff_session_within_the_limits_goes_on():
    _officer, browser = _officer_browser()
    _age_session(browser, since_seconds=3600, seen_seconds=120)
    assert is_signed_in(browser)


def test_citizens_keep_their_long_session():
    browser = Client()
    browser.force_login(CitizenFactory())
    _age_session(browser, since_seconds=3 * 86400, seen_seconds=2 * 86400)
    assert is_signed_in(browser)


def test_the_token_page_does_not_show_a_token_again():
    # Guard for the narrowing change: the page still shows the new token once.
    browser = Client()
    officer = CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=AgencyFactory(), role=StaffRole.LEADER)
    staff_login(browser, officer)
    made = browser.post("/tai-khoan/api/", {"name": "x"}).content.decode()
    raw = re.search(r'id="new-token"[^>]*value="([^"]+)"', made).group(1)
    assert raw not in browser.get("/tai-khoan/api/").content.decode() and api_status(raw) == 200
