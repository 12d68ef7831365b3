from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and portal")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401 - registers the deploy checks
        from .collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="portal-vi-collation")

        from celery import signals

        from . import metrics, request_id

        signals.task_prerun.connect(metrics.task_started, dispatch_uid="metrics-task-started")
        signals.task_postrun.connect(metrics.task_finished, dispatch_uid="metrics-task-finished")
        signals.task_retry.connect(metrics.task_retried, dispatch_uid="metrics-task-retried")
        request_id.connect_celery(signals)

        from django.db.models.signals import post_delete, post_save

        from .consent import notice_changed
        from .models import PrivacyNotice

        # Cache invalidation only: the current notice's version is cached for the consent middleware.
        post_save.connect(lambda **kw: notice_changed(), sender=PrivacyNotice, weak=False, dispatch_uid="notice-saved")
        post_delete.connect(lambda **kw: notice_changed(), sender=PrivacyNotice, weak=False, dispatch_uid="notice-gone")
