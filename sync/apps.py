from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dossiers import hooks


def _sync_dossier_event(*, event) -> None:
    """Every event of a filed dossier goes to the national portal and the webhooks, in a task."""
    from .tasks import sync_event

    sync_event.delay(event.pk)


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("National portal sync and webhooks")

    def ready(self):
        hooks.on_dossier_event(_sync_dossier_event)
