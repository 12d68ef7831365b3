from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.outbox_handlers import outbox_handler_register


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Records: retention and destruction")

    def ready(self):
        from .services import destruction_execute_handler  # reads the models: once the registry is ready

        outbox_handler_register("retention.destroy", destruction_execute_handler)
