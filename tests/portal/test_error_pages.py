"""Error pages: the portal's layout, the visitor's language, a way back; problem+json under /api/."""

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from portal.models import AgencyMembership
from tests.dossiers.factories import CitizenFactory
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.error_urls")]

LAYOUT = ('class="site-header"', 'class="site-footer"', 'class="error-page"')


def in_language(client, language):
    client.cookies["django_language"] = language
    return client


def assert_layout(response, status, language):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}"' in html
    for part in LAYOUT:
        assert part in html
    assert "Content-Security-Policy" in response
    return html


@pytest.mark.parametrize(
    ("language", "text", "home"),
    [
        ("vi", "Chỉ cán bộ mới xem được các số liệu này.", "Về trang chủ"),
        ("en", "Only officers may see these figures.", "Go to the home page"),
    ],
)
def test_citizen_opening_an_officer_page_gets_the_403_page_in_their_language(client, language, text, home):
    client.force_login(CitizenFactory())
    response = in_language(client, language).get("/can-bo/chi-so/", HTTP_REFERER="http://testserver/ho-so/")
    html = assert_layout(response, 403, language)
    assert text in html and home in html
    assert 'href="http://testserver/ho-so/"' in html  # back where they came from
    assert "403 Forbidden" not in html


def test_anonymous_403_offers_sign_in_and_ignores_a_foreign_referer(client):
    response = client.get("/loi/403/", HTTP_REFERER="https://evil.example/")
    html = assert_layout(response, 403, "vi")
    assert "/tai-khoan/dang-nhap/?next=/loi/403/" in html and "evil.example" not in html


@pytest.mark.parametrize(("language", "title"), [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
def test_404_page_in_the_layout(client, language, title):
    assert title in assert_layout(in_language(client, language).get("/khong-co-trang-nay/"), 404, language)


@pytest.mark.parametrize(("language", "home"), [("vi", "Về trang chủ"), ("en", "Go to the home page")])
def test_400_page_in_the_layout(client, language, home):
    html = assert_layout(in_language(client, language).get("/loi/400/"), 400, language)
    assert home in html and "400" in html


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the error page queried the database")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.mark.parametrize(("language", "title"), [("vi", "Đã xảy ra lỗi"), ("en", "Something went wrong")])
def test_500_page_renders_in_the_layout_with_the_database_down(language, title, database_down):
    client = in_language(Client(raise_request_exception=False), language)
    html = assert_layout(client.get("/loi/500/"), 500, language)
    assert title in html and 'href="/loi/500/"' in html  # try again


def test_500_for_a_signed_in_officer_with_the_database_down(monkeypatch):
    officer = CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=AgencyFactory(), role="receptionist")
    client = Client(raise_request_exception=False)
    staff_login(client, officer)  # the session is in the database: the page must not read it

    def refuse(self, *args, **kwargs):
        raise AssertionError("the error page queried the database")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    assert_layout(client.get("/loi/500/"), 500, "vi")


def test_api_errors_stay_problem_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/loi/500/")
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 500
    missing = client.get("/api/v1/khong-co/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_csrf_failure_page_in_the_layout(language):
    client = in_language(Client(enforce_csrf_checks=True), language)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "x", "password": "y"})
    html = assert_layout(response, 403, language)
    assert "CSRF verification failed" not in html
