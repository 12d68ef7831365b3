from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """ "Dữ liệu của tôi": what the portal holds about a citizen, the export, who of the staff read
    their dossiers, and deleting the account. On top of the layers: it reads every app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Personal data")
