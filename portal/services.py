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


# Personal API clients: a person makes tokens for their own scripts or apps (the admin makes
# integrators' clients, which may be narrowed to agencies).
PERSONAL_CLIENTS_MAX = 5


@transaction.atomic
def api_client_create(*, user: User, name: str):
    """A client acting as ``user`` with one token; the raw token is returned once, never stored."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import ApiClient

    name = (name or "").strip()
    if not name or len(name) > 150:
        raise ValidationError({"name": [_("Give the token a name of at most 150 characters.")]})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per person
    if ApiClient.objects.filter(user=user, is_active=True).count() >= PERSONAL_CLIENTS_MAX:
        raise ValidationError(_("You have %(max)d active tokens: revoke one first.") % {"max": PERSONAL_CLIENTS_MAX})
    # A staff member's token reaches only the agencies of their roles (never the whole province
    # that admin-site access shows); admins without a role get integration clients from the admin.
    agencies = set(user.memberships.values_list("agency_id", flat=True))
    if user.is_staff and not agencies:
        raise ValidationError(_("Administrators without an agency role get API clients from the admin site."))
    client = ApiClient.objects.create(name=name, user=user)
    if agencies:
        client.agencies.set(agencies)
    _token, raw = client.issue_token()
    return client, raw


def api_client_revoke(*, user: User, client_id: int) -> None:
    """Revoke one of the person's own clients (and its tokens): 401 from the next call."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import ApiClient

    client = ApiClient.objects.filter(user=user, pk=client_id, is_active=True).first()
    if client is None:
        raise ValidationError(_("This token does not exist or is already revoked."))
    client.revoke()
