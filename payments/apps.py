from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dossiers import hooks
from portal.outbox_handlers import outbox_handler_register


def _desk_context(*, dossier, user) -> dict:
    """The payments box of the officers' desk page: the grounds a fee may be waived on."""
    from .models import FeeExemption

    return {"exemption_grounds": FeeExemption.choices}


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        # Both read the models: imported only once the app registry is ready.
        from .receipts import receipt_for
        from .services import payments_void_pending

        hooks.on_fee_requested(payments_void_pending)
        hooks.on_desk_context(_desk_context)
        outbox_handler_register("payment.paid", receipt_for)

        # The admin's name for a model declared without one (a Meta verbose_name would need a
        # migration of this app for a label only; makemigrations reads Meta, not _meta).
        options = self.get_model("Receipt")._meta
        options.verbose_name = _("e-receipt")
        options.verbose_name_plural = _("e-receipts")
