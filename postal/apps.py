from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dossiers import hooks


class PostalConfig(AppConfig):
    name = "postal"
    verbose_name = _("Results by post")

    def ready(self):
        # The services read the models: imported once the app registry is ready.
        from .services import postal_desk_context, postal_on_dossier_event

        hooks.on_dossier_event(postal_on_dossier_event)
        hooks.on_desk_context(postal_desk_context)
