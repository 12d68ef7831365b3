"""Use cases of accounts."""

from django.db import transaction

from .models import User


@transaction.atomic
def citizen_register(*, full_name: str, password: str, email: str | None = None, phone: str | None = None,
                     personal_id: str | None = None) -> User:
    """Create a citizen account (validated by the caller's form)."""
    return User.objects.create_user(
        email=email, phone=phone, password=password, full_name=full_name, personal_id=personal_id
    )
