from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dossiers import hooks
from portal.outbox_handlers import outbox_handler_register

TOPIC = "archive.package"


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Records archive")

    def ready(self):
        # The services read the models: imported once the app registry is ready.
        from .services import archive_desk_context, archive_on_dossier_event, package_build_later

        outbox_handler_register(TOPIC, package_build_later)
        hooks.on_dossier_event(archive_on_dossier_event)
        hooks.on_desk_context(archive_desk_context)
