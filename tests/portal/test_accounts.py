"""Accounts: sign up and sign in with an email or a mobile number; ID number format."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from portal.models import User
from portal.validators import normalize_phone, validate_personal_id

pytestmark = pytest.mark.django_db
PASSWORD = "Khong-doan-duoc-2026"


def sign_in(client, username, password) -> bool:
    """Through the login page: sign-in lockout (axes) needs the request, which client.login lacks."""
    response = client.post("/tai-khoan/dang-nhap/", {"username": username, "password": password})
    return response.status_code == 302


def register(client, **overrides):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "email": "",
        "phone": "",
        "personal_id": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/tai-khoan/dang-ky/", data)


def activation_link(user) -> str:
    """The registration link sent by email or SMS (its text is kept on the Notification row)."""
    from portal.models import Notification

    body = (
        Notification.objects.filter(event="account_activation", key__startswith=f"account-activation:{user.pk}:")
        .exclude(channel="inbox")
        .latest("pk")
        .body
    )
    return next(word for word in body.split() if "/tai-khoan/kich-hoat/" in word).split("8000", 1)[-1]


def register_and_open(client, **overrides):
    response = register(client, **overrides)
    assert response.status_code == 200 and "registration/register_sent.html" in [t.name for t in response.templates]
    user = User.objects.get()
    assert not user.is_active  # nothing opens without the link
    opened = client.get(activation_link(user))
    assert opened.status_code == 302 and client.get("/").context["user"] == user
    return user


def test_register_with_phone_then_sign_in_with_either_form_of_it(client):
    user = register_and_open(client, phone="+84 912 345 678", personal_id="001203004567")
    assert (user.phone, user.email, user.personal_id) == ("0912345678", None, "001203004567")
    assert not user.personal_id_verified  # typed, not proved
    client.logout()
    assert sign_in(client, "0912 345 678", PASSWORD)
    client.logout()
    assert sign_in(client, "84912345678", PASSWORD)


def test_sign_in_by_email_ignores_case(client):
    register_and_open(client, email="Hoa.Nguyen@Example.vn")
    client.logout()
    response = client.post("/tai-khoan/dang-nhap/", {"username": "HOA.NGUYEN@example.vn", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "hoa.nguyen@example.vn"


def test_wrong_password_is_refused(client):
    register(client, email="a@example.vn")
    client.logout()
    response = client.post("/tai-khoan/dang-nhap/", {"username": "a@example.vn", "password": "sai"})
    assert response.status_code == 200 and not response.context["user"].is_authenticated


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "__all__"),  # neither email nor phone
        ({"phone": "12345"}, "phone"),
        ({"email": "a@example.vn", "personal_id": "12345678901"}, "personal_id"),
        ({"email": "a@example.vn", "personal_id": "999203004567"}, "personal_id"),
        ({"email": "a@example.vn", "password2": "khac"}, "password2"),
        ({"email": "a@example.vn", "password1": "12345678", "password2": "12345678"}, "password1"),
    ],
)
def test_bad_registration_changes_nothing(client, overrides, field):
    response = register(client, **overrides)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


def test_registration_errors_are_in_vietnamese_by_default(client):
    response = register(client)
    assert "Hãy nhập email hoặc số điện thoại" in response.content.decode()


def test_a_registration_link_opens_the_account_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(client, email="hoa@example.vn")
    user = User.objects.get()
    link = activation_link(user)
    assert mail.outbox and link.split("/")[-3] in mail.outbox[0].body
    assert client.get(link).status_code == 302
    client.logout()
    used = client.get(link)
    assert used.status_code == 400 and "tai-khoan/dang-nhap" in used.content.decode()
    assert client.get("/tai-khoan/kich-hoat/xx/yy/").status_code == 400


def test_personal_id_rules():
    validate_personal_id("079203004567")
    for bad in ["07920300456", "0792030045678", "07920300456a", "000203004567"]:
        with pytest.raises(ValidationError):
            validate_personal_id(bad)


def test_phone_normalization():
    assert normalize_phone("+84 (91) 234-5678") == "0912345678"


def test_password_reset_by_email(client):
    User.objects.create_user(email="hoa@example.vn", password=PASSWORD, full_name="Hoa")
    response = client.post("/tai-khoan/password_reset/", {"email": "hoa@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/tai-khoan/reset/" in word)
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    new = "Mat-khau-moi-2026"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert sign_in(client, "hoa@example.vn", new)


def test_staff_roles_make_a_user_staff_not_citizen():
    from portal.constants import StaffRole
    from portal.models import AgencyMembership
    from tests.procedures.factories import AgencyFactory

    user = User.objects.create_user(email="cb@example.vn", password=PASSWORD, full_name="Cán bộ")
    assert user.is_citizen
    for agency in (AgencyFactory(), AgencyFactory()):
        AgencyMembership.objects.create(user=user, agency=agency, role=StaffRole.RECEPTIONIST)
    assert not user.is_citizen and user.agencies.count() == 2


def test_healthz(client):
    response = client.get("/healthz")
    checks = response.json()["checks"]
    assert response.status_code == 200 and checks["database"] == "ok"
    assert checks["outbox_oldest_unpublished_seconds"] is None


def test_healthz_is_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("error")


@pytest.mark.redis
def test_healthz_reports_queue_lengths(client, settings):
    import os

    settings.REDIS_URL = os.environ["REDIS_URL"]
    checks = client.get("/healthz").json()["checks"]
    assert checks["redis"] == "ok" and set(checks["queues"]) == {"default", "notifications", "documents"}


def test_liveness_answers_even_when_the_database_and_redis_are_down(client, settings, monkeypatch):
    from django.db import OperationalError, connection

    def broken(*args, **kwargs):
        raise OperationalError("the database is down")

    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.get("/healthz/ready").status_code == 503


def test_readiness_checks_database_redis_and_storage(client, settings, tmp_path):
    settings.REDIS_URL = ""  # the filesystem broker of `make run`: nothing to ask
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "storage": "ok"}
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("error")


def test_readiness_is_503_when_the_storage_does_not_answer(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "tests.portal.test_accounts.UnreachableStorage"},
    }
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "error: ConnectionError"


class UnreachableStorage:
    """A storage whose server does not answer (what an S3 client raises when it cannot connect)."""

    def exists(self, name):
        raise ConnectionError("no route to the storage server")
