"""Finding 4 (unlimited password guessing): after AXES_FAILURE_LIMIT failures from one address
or against one account, signing in there is refused with a clear message until the cool-off
ends or an admin unlocks."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from portal.models import User
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db
PASSWORD = "Khong-doan-duoc-2026"
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, username, password, address="198.51.100.10"):
    return client.post("/tai-khoan/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def hoa():
    return User.objects.create_user(email="hoa@example.vn", phone="0912345678", password=PASSWORD, full_name="Hoa")


def test_after_repeated_failures_the_right_password_is_refused_with_the_message(client, hoa):
    statuses = [attempt(client, "hoa@example.vn", f"doan-sai-{n}").status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]  # the failure that reaches the limit already says so
    response = attempt(client, "hoa@example.vn", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert (
        "Đăng nhập sai quá nhiều lần" in body or "Too many failed sign-ins" in body
    )  # vi once i18n/auth.tsv is merged
    assert not client.get("/").context["user"].is_authenticated


def test_a_locked_address_cannot_try_other_accounts_but_other_addresses_can(client, hoa):
    other = User.objects.create_user(email="lan@example.vn", password=PASSWORD, full_name="Lan")
    for n in range(LIMIT):
        attempt(client, f"khong-co-{n}@example.vn", "doan-sai", address="198.51.100.66")
    assert attempt(client, other.email, PASSWORD, address="198.51.100.66").status_code == 429
    assert attempt(client, hoa.email, PASSWORD, address="203.0.113.5").status_code == 302


def test_failures_against_one_account_from_many_addresses_lock_the_account(client, hoa):
    # The same account however it is typed: phone with +84, spaces, the email in capitals.
    for n, login in enumerate(["0912 345 678", "+84912345678", "HOA@example.vn", "84912345678", "0912345678"][:LIMIT]):
        attempt(client, login, "doan-sai", address=f"198.51.100.{n + 1}")
    assert attempt(client, "hoa@example.vn", PASSWORD, address="203.0.113.9").status_code == 429


def test_after_the_cool_off_the_right_password_works(client, hoa):
    for n in range(LIMIT):
        attempt(client, "hoa@example.vn", f"doan-sai-{n}")
    assert attempt(client, "hoa@example.vn", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert attempt(client, "hoa@example.vn", PASSWORD).status_code == 302


def test_an_admin_unlocks_from_the_admin_site(client, hoa):
    for n in range(LIMIT):
        attempt(client, "hoa@example.vn", f"doan-sai-{n}")
    admin = User.objects.create_superuser(email="quantri@example.vn", password=PASSWORD, full_name="Quản trị")
    from django.test import Client

    admin_client = Client()
    staff_login(admin_client, admin)
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = admin_client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert attempt(client, "hoa@example.vn", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, hoa):
    for n in range(LIMIT - 1):
        attempt(client, "hoa@example.vn", f"doan-sai-{n}")
    assert attempt(client, "hoa@example.vn", PASSWORD).status_code == 302
    client.logout()
    attempt(client, "hoa@example.vn", "doan-sai")
    assert attempt(client, "hoa@example.vn", PASSWORD).status_code == 302
