"""The secrets production needs: which, when, and what a real one looks like.

One table read twice: by portal.settings.production, which refuses to start without them
(ImproperlyConfigured naming the variable), and by the deploy system check (portal/checks.py),
so that `manage.py check --deploy` fails under any settings module that would run with a
missing, short or development value. No Django import at module level: settings import it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# The development defaults of portal/settings/base.py and the values our own files have shown:
# public, so anyone could sign with them.
PLACEHOLDERS = frozenset(
    {
        "dev-only-insecure-key-change-me",
        "bank-webhook-dev-secret",
        "sandbox-secret-not-for-production",
        "ci-validation-only",
        "test-client-secret-that-is-long-enough-for-hs256",
        "admin:change-me",
        "motcua",
    }
)
# Words only a placeholder contains.
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "not-for-production",
    "insecure",
    "dev-secret",
    "dev-only",
    "example",
    "placeholder",
    "django-insecure",
)


@dataclass(frozen=True)
class Secret:
    env: str  # the environment variable
    setting: str  # the Django setting it fills
    what: str
    min_length: int = 32
    required_when: Callable[[Mapping], bool] | None = None  # None: always
    when: str = "always"  # the rule in words, for the README and the messages


SECRETS = (
    # Django's own check (security.W009) asks for 50 characters with at least 5 different ones.
    Secret("DJANGO_SECRET_KEY", "SECRET_KEY", "Django's signing key (sessions, password reset, CSRF)", 50),
    Secret("BANK_WEBHOOK_SECRET", "BANK_WEBHOOK_SECRET", "HMAC-SHA256 key of the bank's transfer notifications"),
    Secret(
        "VNPAY_HASH_SECRET",
        "VNPAY_HASH_SECRET",
        "VNPAY's hash secret (payment URLs, IPN, querydr)",
        32,
        lambda s: bool(s.get("VNPAY_ENABLED")),
        "VNPAY_ENABLED=true",
    ),
    Secret(
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_RP_CLIENT_SECRET",
        "the e-identity (OIDC) client secret",
        16,
        lambda s: bool(s.get("OIDC_ENABLED")),
        "OIDC_RP_CLIENT_ID is set",
    ),
    Secret(
        "RESULT_SIGNING_KEY_PASSPHRASE",
        "RESULT_SIGNING_KEY_PASSPHRASE",
        "passphrase of the encrypted agency signing key (RESULT_SIGNING_KEY)",
        20,
    ),
    Secret(
        "PRIVATE_STORAGE_SECRET_ACCESS_KEY",
        "PRIVATE_STORAGE_SECRET_ACCESS_KEY",
        "the object storage's secret key (private files)",
        16,
        lambda s: bool(s.get("PRIVATE_STORAGE_BUCKET")),
        "PRIVATE_STORAGE_BUCKET is set",
    ),
    Secret(
        "ARCHIVE_STORAGE_SECRET_ACCESS_KEY",
        "ARCHIVE_STORAGE_SECRET_ACCESS_KEY",
        "the object storage's secret key (archive packages in their own bucket)",
        16,
        lambda s: bool(s.get("ARCHIVE_STORAGE_BUCKET")) and not s.get("PRIVATE_STORAGE_BUCKET"),
        "ARCHIVE_STORAGE_BUCKET is set without PRIVATE_STORAGE_BUCKET",
    ),
    Secret(
        "NATIONAL_PORTAL_SECRET",
        "NATIONAL_PORTAL_SECRET",
        "HMAC key of status changes sent to the national portal",
        32,
        lambda s: bool(s.get("NATIONAL_PORTAL_URL")),
        "NATIONAL_PORTAL_URL is set",
    ),
    Secret(
        "POSTAL_WEBHOOK_SECRET",
        "POSTAL_WEBHOOK_SECRET",
        "HMAC-SHA256 key of the postal carrier's status webhook",
        32,
        lambda s: bool(s.get("POSTAL_API_URL")),
        "POSTAL_API_URL is set",
    ),
    Secret(
        "ZALO_OA_SECRET",
        "ZALO_OA_SECRET",
        "the Zalo Official Account's secret key (webhook signatures)",
        16,
        # The built-in sandbox (no API URL) signs with the development secret; production always
        # requires it (portal/settings/production.py).
        lambda s: bool(s.get("ZALO_OA_ENABLED") and s.get("ZALO_OA_API_URL")),
        "ZALO_OA_ENABLED=true",
    ),
)
BY_ENV = {secret.env: secret for secret in SECRETS}


def secret_problem(secret: Secret, value) -> str | None:
    """Why this value cannot be the production secret, or None when it can. Never quotes it."""
    value = "" if value is None else str(value)
    if not value.strip():
        when = "in production" if secret.when == "always" else f"when {secret.when}"
        return f"{secret.env} is not set: {secret.what} is required {when}."
    lowered = value.strip().lower()
    if lowered in PLACEHOLDERS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return f"{secret.env} holds a development placeholder; set a random value of its own."
    if len(value) < secret.min_length or len(set(value)) < 5:
        return (
            f"{secret.env} is too short or too simple: use at least {secret.min_length} random characters "
            "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return None


def require_secret(env, name: str) -> str:
    """Read a production secret from the environment; ImproperlyConfigured naming it otherwise."""
    from django.core.exceptions import ImproperlyConfigured

    value = env.str(name, default="")
    problem = secret_problem(BY_ENV[name], value)
    if problem:
        raise ImproperlyConfigured(problem)
    return value


def secret_problems(settings: Mapping) -> list[tuple[Secret, str]]:
    """Every secret the given settings need now and lack (settings read through .get())."""
    problems = []
    for secret in SECRETS:
        if secret.required_when is not None and not secret.required_when(settings):
            continue
        problem = secret_problem(secret, settings.get(secret.setting))
        if problem:
            problems.append((secret, problem))
    return problems
