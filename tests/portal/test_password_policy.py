"""Finding 4 (weak passwords): at least 10 characters and not a common or Vietnamese favourite."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "weak",
    [
        "Matkhau1",
        "hanoi123",
        "matkhau2026",
        "Anhyeuem123",
        "Saigon@2026",
        "iloveyou12",
        "Hochiminh1975",
        "1234567890",
        "Short-1",
    ],
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak, User(full_name="Nguyễn Thị Hoa", email="hoa@example.vn"))


def test_a_long_uncommon_password_is_accepted():
    validate_password("Khong-doan-duoc-2026", User(full_name="Nguyễn Thị Hoa", email="hoa@example.vn"))


def test_registration_with_a_weak_password_changes_nothing_and_says_why(client):
    response = client.post(
        "/tai-khoan/dang-ky/",
        {
            "full_name": "Nguyễn Thị Hoa",
            "email": "hoa@example.vn",
            "password1": "matkhau2026",
            "password2": "matkhau2026",
        },
    )
    assert response.status_code == 200 and "password1" in response.context["form"].errors
    assert "quá phổ biến" in response.content.decode() or "phổ biến" in response.content.decode()
    assert not User.objects.exists()


def test_the_help_text_states_the_policy(client):
    page = client.get("/tai-khoan/dang-ky/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At least 10 characters" in page


def test_the_demo_accounts_passwords_pass_the_policy():
    from demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

    for email, phone, name, _role, _admin in DEMO_ACCOUNTS:
        validate_password(DEMO_PASSWORD, User(email=email, phone=phone, full_name=name))
