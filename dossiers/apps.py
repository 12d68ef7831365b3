from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.outbox_handlers import outbox_handler_register


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self):
        from . import fanout  # reads the models: only once the app registry is ready

        outbox_handler_register("dossier.event", fanout.on_event)
        outbox_handler_register("dossier.deadline", fanout.on_deadline)

        # The admin's name for a model declared without one (a Meta verbose_name would need a
        # migration of this app for a label only; makemigrations reads Meta, not _meta).
        options = self.get_model("SupplementRequest")._meta
        options.verbose_name = _("supplement request")
        options.verbose_name_plural = _("supplement requests")
