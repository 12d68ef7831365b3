"""Deploy checks of our own: `manage.py check --deploy` fails when a production secret is missing,
too short or a development placeholder (the table is portal/secrets.py)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .secrets import SECRETS, secret_problems


class _Settings:
    """django.conf.settings read like a mapping, as portal.secrets expects."""

    def get(self, name, default=None):
        return getattr(settings, name, default)


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs=None, **kwargs):
    return [
        Error(
            problem,
            hint=f"Set {secret.env} in the environment (README, Security: secrets).",
            id=f"portal.E{100 + SECRETS.index(secret):03d}",
        )  # one id per secret, stable
        for secret, problem in secret_problems(_Settings())
    ]
