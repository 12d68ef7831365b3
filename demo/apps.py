from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run` (`manage.py seed_demo`): above every app, imported by none."""

    name = "demo"
    verbose_name = _("Demo data")
