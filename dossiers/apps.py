from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.metrics import metric_source_register
from portal.outbox_handlers import outbox_handler_register


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self):
        from . import fanout  # reads the models: only once the app registry is ready

        outbox_handler_register("dossier.event", fanout.on_event)
        outbox_handler_register("dossier.deadline", fanout.on_deadline)

        from . import metrics

        metric_source_register(
            "motcua_dossiers_open", "Open dossiers, by competent agency.", ("agency",), metrics.open_dossiers
        )
        metric_source_register(
            "motcua_dossiers_overdue",
            "Open dossiers past their due time, by competent agency.",
            ("agency",),
            metrics.overdue_dossiers,
        )
