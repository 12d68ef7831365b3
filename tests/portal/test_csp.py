"""A strict Content-Security-Policy on every kind of page, and nothing inline that it would block."""

import re

import pytest
from django.test import Client

from dossiers.models import Dossier
from portal.models import User
from tests.second_factor import staff_login

from .csp_scan import csp_problems

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.error_urls")]

CITIZEN, DESK, LEADER, ADMIN = (
    "congdan@demo.motcua.vn",
    "tiepnhan@demo.motcua.vn",
    "lanhdao@demo.motcua.vn",
    "quantri@demo.motcua.vn",
)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_strict(response, *, where: str):
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], where
    assert policy["base-uri"] == ["'self'"] and policy["form-action"][0] == "'self'", where
    assert policy["img-src"] == ["'self'", "data:"], where
    script = policy["script-src"]
    assert script[0] == "'self'" and all(re.fullmatch(r"'nonce-[A-Za-z0-9+/=]+'", s) for s in script[1:]), where
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    return policy


@pytest.fixture
def demo():
    from demo.seed import seed_demo

    seed_demo()
    citizen = User.objects.get(email=CITIZEN)
    return Dossier.objects.filter(applicant=citizen).exclude(code="").order_by("pk").first()


def pages(code: str) -> list[tuple[str | None, str, int]]:
    """(who, path, status): every top-level page, each role's pages, the admin, API docs, errors."""
    return [
        (None, "/", 200),
        (None, "/thu-tuc/", 200),
        (None, "/thu-tuc/?q=khai+sinh", 200),
        (None, "/thu-tuc/1.001193/", 200),
        (None, "/tra-cuu/", 200),
        (None, f"/tc/{code}", 200),
        (None, "/xac-thuc/", 200),
        (None, "/minh-bach/", 200),
        (None, "/tai-khoan/dang-nhap/", 200),
        (None, "/tai-khoan/dang-ky/", 200),
        (None, "/tai-khoan/password_reset/", 200),
        (None, "/api/docs/", 200),
        (None, "/khong-co-trang-nay/", 404),
        (None, "/loi/400/", 400),
        (None, "/loi/403/", 403),
        (None, "/loi/500/", 500),
        (CITIZEN, "/ho-so/", 200),
        (CITIZEN, "/thu-tuc/1.001193/nop/", 200),
        (CITIZEN, f"/ho-so/{code}/", 200),
        (CITIZEN, "/kho-du-lieu/", 200),
        (CITIZEN, "/thong-bao/", 200),
        (CITIZEN, "/tai-khoan/api/", 200),
        (CITIZEN, "/tai-khoan/password_change/", 200),
        (CITIZEN, "/can-bo/chi-so/", 403),
        (DESK, "/can-bo/ho-so/", 200),
        (DESK, f"/can-bo/ho-so/{code}/", 200),
        (DESK, "/can-bo/tiep-nhan/", 200),
        (None, "/quay/lay-so/000.20.00.H99/", 200),
        (None, "/quay/man-hinh/000.20.00.H99/", 200),
        (DESK, "/can-bo/goi-so/", 200),
        (DESK, "/can-bo/goi-so/thong-ke/", 200),
        (DESK, "/can-bo/chi-so/ho-so/?indicator=received_online", 200),
        (LEADER, "/can-bo/chi-so/", 200),
        (LEADER, "/can-bo/ho-so/", 200),
        (ADMIN, "/admin/", 200),
        (ADMIN, "/admin/portal/notificationtemplate/add/", 200),
        (ADMIN, "/admin/procedures/procedure/", 200),
        (ADMIN, "/admin/procedures/procedure/add/", 200),
        (ADMIN, "/admin/procedures/procedureversion/1/change/", 200),
        (ADMIN, "/admin/dossiers/dossier/", 200),
        (ADMIN, "/admin/portal/user/", 200),
    ]


def test_every_page_sends_a_strict_csp_and_has_no_inline_script_handler_or_style(demo):
    clients: dict[str | None, Client] = {}
    found = {}
    for who, path, status in pages(demo.code):
        if who not in clients:
            clients[who] = Client(raise_request_exception=False)
            if who:
                staff_login(clients[who], User.objects.get(email=who))
        response = clients[who].get(path, follow=True)
        where = f"{who or 'anonymous'} {path}"
        assert response.status_code == status, where
        assert_strict(response, where=where)
        problems = csp_problems(response.content.decode())
        if problems:
            found[where] = sorted(set(problems))
    assert found == {}


def test_api_docs_have_a_csp_and_redoc_alone_may_inline_styles(client):
    swagger = client.get("/api/docs/")
    assert csp_problems(swagger.content.decode()) == []
    policy = assert_strict(swagger, where="swagger")
    assert "'unsafe-inline'" not in policy["style-src"]
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    redoc = client.get("/api/redoc/")
    policy = assert_strict(redoc, where="redoc")
    assert "'unsafe-inline'" in policy["style-src"] and policy["worker-src"] == ["'self'", "blob:"]
    assert [p for p in csp_problems(redoc.content.decode()) if "<style>" not in p] == []
    assert "fonts.googleapis.com" not in redoc.content.decode()


def test_form_action_allows_the_payment_gateway_and_the_e_identity_provider(client, settings):
    from portal.settings.base import csp_policy

    settings.CONTENT_SECURITY_POLICY = csp_policy(
        "https://pay.vnpay.example/paymentv2/vpcpay.html", "https://sso.vneid.example/authorize?x=1", ""
    )
    policy = directives(client.get("/")["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", "https://pay.vnpay.example", "https://sso.vneid.example"]


def test_a_nonce_used_by_a_page_is_in_the_header(client):
    swagger = client.get("/api/docs/")
    nonce = re.search(r'<style nonce="([^"]+)">', swagger.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in swagger["Content-Security-Policy"]
