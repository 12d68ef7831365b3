from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.outbox_handlers import outbox_handler_register


class AppointmentsConfig(AppConfig):
    """Appointments at the one-stop desk: slots from the working-day calendar, booking, no-shows."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        # Reads the models: imported only once the app registry is ready.
        from .notifications import appointment_confirmation_send

        outbox_handler_register("appointment.booked", appointment_confirmation_send)
