"""Sign-in with the national e-identity, against a stand-in OpenID Connect provider on loopback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.conf import settings

from portal.models import User

pytestmark = pytest.mark.django_db


class Provider:
    """The provider's state: which claims it will vouch for, and what it was asked."""

    claims: dict = {}
    nonce: str = ""
    token_requests: list = []


class ProviderHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        Provider.token_requests.append(form)
        if form.get("code") != ["good-code"] or form.get("client_secret") != [settings.OIDC_RP_CLIENT_SECRET]:
            return self._json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": "http://127.0.0.1",
                "sub": "vneid-1",
                "aud": settings.OIDC_RP_CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": Provider.nonce,
            },
            settings.OIDC_RP_CLIENT_SECRET,
            algorithm="HS256",
        )
        return self._json({"access_token": "at-1", "id_token": id_token, "token_type": "Bearer"})

    def do_GET(self):  # noqa: N802
        if self.path == "/userinfo" and self.headers.get("Authorization") == "Bearer at-1":
            return self._json(Provider.claims)
        return self._json({"error": "not found"}, 404)


@pytest.fixture(scope="module")
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", settings.OIDC_TEST_PORT), ProviderHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Provider
    server.shutdown()
    server.server_close()


def sign_in(client, provider, claims, code="good-code"):
    provider.claims = claims
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    provider.nonce = query["nonce"][0]
    return client.get("/oidc/callback/", {"code": code, "state": query["state"][0]})


def test_first_sign_in_creates_a_citizen_from_the_eid(client, provider):
    response = sign_in(
        client,
        provider,
        {"sub": "vneid-1", "personal_id": "079203004567", "name": "Võ Thị Sáu", "email": "sau@example.vn"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.personal_id, user.full_name, user.email) == ("079203004567", "Võ Thị Sáu", "sau@example.vn")
    assert user.personal_id_verified
    assert not user.has_usable_password()
    assert client.get("/").context["user"] == user


def test_an_account_with_the_verified_id_number_is_signed_into_and_its_name_updated(client, provider):
    existing = User.objects.create_user(
        email="old@example.vn",
        password="x-Mat-khau-2026",
        full_name="Vo Thi Sau",
        personal_id="079203004567",
        personal_id_verified=True,
    )
    sign_in(client, provider, {"sub": "vneid-1", "personal_id": "079203004567", "name": "Võ Thị Sáu"})
    existing.refresh_from_db()
    assert existing.full_name == "Võ Thị Sáu" and User.objects.count() == 1
    assert client.get("/").context["user"] == existing


def test_claims_without_a_valid_id_number_are_refused_on_the_login_page(client, provider):
    response = sign_in(client, provider, {"sub": "vneid-1", "personal_id": "123", "name": "X", "email": "x@example.vn"})
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_REDIRECT_URL_FAILURE
    assert not User.objects.exists()
    assert not client.get("/").context["user"].is_authenticated


def test_a_tampered_state_lands_on_the_login_page_with_the_reason_and_a_way_back(client, provider):
    provider.claims = {"sub": "vneid-1", "personal_id": "079203004567", "name": "Võ Thị Sáu"}
    start = client.get("/oidc/authenticate/")
    provider.nonce = parse_qs(urlparse(start["Location"]).query)["nonce"][0]
    response = client.get("/oidc/callback/", {"code": "good-code", "state": "tampered"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == settings.LOGIN_REDIRECT_URL_FAILURE
    page = response.content.decode()
    assert "Đăng nhập bằng định danh điện tử quốc gia (VNeID) không thành công" in page
    assert 'action="/tai-khoan/dang-nhap/"' in page and "/oidc/authenticate/" in page  # a way back
    assert not User.objects.exists()


def test_a_callback_without_a_started_sign_in_lands_on_the_login_page(client, provider):
    response = client.get("/oidc/callback/", {"code": "good-code", "state": "whatever"})
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_REDIRECT_URL_FAILURE


def test_a_bad_code_signs_nobody_in(client, provider):
    response = sign_in(client, provider, {"personal_id": "079203004567", "name": "X"}, code="forged")
    assert response.status_code == 302 and not User.objects.exists()


def test_login_page_offers_the_eid_button(client):
    assert "/oidc/authenticate/" in client.get("/tai-khoan/dang-nhap/").content.decode()


def test_an_id_token_for_another_sign_in_lands_on_the_login_page(client, provider):
    provider.claims = {"sub": "vneid-1", "personal_id": "079203004567", "name": "Võ Thị Sáu"}
    start = client.get("/oidc/authenticate/")
    provider.nonce = "nonce-of-another-sign-in"  # a replayed or injected ID token
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    response = client.get("/oidc/callback/", {"code": "good-code", "state": state})
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_REDIRECT_URL_FAILURE
    assert not User.objects.exists()
