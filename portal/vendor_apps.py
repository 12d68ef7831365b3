"""Third-party apps under the names the (Vietnamese) admin shows: INSTALLED_APPS lists these
configs instead of the packages' own. Their model and field names are translated through the
project's catalogue (django_celery_beat, axes and django_otp ship no Vietnamese)."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpDefaultConfig


class PeriodicTasksConfig(BeatConfig):
    verbose_name = _("Scheduled tasks")


class SignInAttemptsConfig(AxesConfig):
    verbose_name = _("Sign-in attempts")


class RecoveryCodesConfig(StaticDefaultConfig):
    verbose_name = _("Two-step verification: recovery codes")

    def ready(self):
        super().ready()
        options = self.get_model("StaticDevice")._meta  # unnamed in django_otp: see below
        options.verbose_name = _("set of recovery codes")
        options.verbose_name_plural = _("sets of recovery codes")


class AuthenticatorAppsConfig(TotpDefaultConfig):
    verbose_name = _("Two-step verification: authenticator apps")

    def ready(self):
        super().ready()
        # django_otp names this model in plain English (no gettext). Named here, not in Meta:
        # makemigrations reads Meta (original_attrs), so no migration in a third-party app.
        options = self.get_model("TOTPDevice")._meta
        options.verbose_name = _("authenticator app")
        options.verbose_name_plural = _("authenticator apps")
