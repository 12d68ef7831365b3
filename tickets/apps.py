from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    """Queue tickets at the service centre: kiosk, officers' caller, hall display, waiting times."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = _("Queue tickets")
