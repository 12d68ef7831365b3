from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from dossiers import hooks

        from .services import payments_void_pending

        hooks.on_fee_requested(payments_void_pending)
