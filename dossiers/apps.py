from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.metrics import metric_source_register
from portal.notification_prefs import INBOX, notification_topic_register
from portal.outbox_handlers import outbox_handler_register

from .constants import EventKind as K


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
        _register_notification_topics()
        # The admin's name for a model declared without one (a Meta verbose_name would need a
        # migration of this app for a label only; makemigrations reads Meta, not _meta).
        options = self.get_model("SupplementRequest")._meta
        options.verbose_name = _("supplement request")
        options.verbose_name_plural = _("supplement requests")


def _register_notification_topics() -> None:
    """The choices on the profile page. A supplement request, a refusal, a new date and a removed
    file always reach the in-app inbox: the applicant has a deadline or a right to act on them."""
    notification_topic_register("received", _("Dossier submitted and received"), events=[K.SUBMITTED, K.RECEIVED])
    notification_topic_register(
        "supplement",
        _("Supplement requested"),
        events=[K.SUPPLEMENT_REQUESTED, K.RESUBMITTED],
        always=[INBOX],
    )
    notification_topic_register(
        "payment", _("Payment requested or confirmed"), events=[K.PAYMENT_REQUESTED, K.PAYMENT_CONFIRMED]
    )
    notification_topic_register("result", _("Result ready or returned"), events=[K.RESULT_ISSUED, K.RESULT_RETURNED])
    notification_topic_register(
        "refused",
        _("Dossier refused, not received or stopped"),
        events=[K.RECEPTION_REFUSED, K.REFUSED, K.STOPPED],
        always=[INBOX],
    )
    notification_topic_register(
        "progress",
        _("New appointment date, withdrawal, removed file"),
        events=[K.EXTENDED, K.WITHDRAWAL_CONFIRMED, K.FILE_QUARANTINED],
        always=[INBOX],
    )
    notification_topic_register("messages", _("Messages on a dossier"), events=[K.MESSAGE])
    notification_topic_register(
        "work",
        _("My work as an officer: assigned, due soon, overdue"),
        events=["assigned", "due_soon", "overdue"],
        staff_only=True,
    )
