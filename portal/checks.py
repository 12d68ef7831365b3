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


@register(Tags.security, deploy=True)
def check_time_stamp_authority(app_configs=None, **kwargs):
    """Signatures must carry a real RFC 3161 time stamp in production: the demo TSA is for
    development and tests only."""
    if str(getattr(settings, "TSA_URL", "") or "").strip():
        return []
    return [
        Error(
            "TSA_URL is not set: results would be time-stamped by the demo TSA.",
            hint="Set TSA_URL to the time-stamp authority's RFC 3161 URL (README, Long-term signatures).",
            id="portal.E090",
        )
    ]
