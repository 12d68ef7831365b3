from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """Where a dossier is in its lifecycle; each maps to one of the national portal's 10 statuses."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting reception")
    RECEIVED = "received", _("Received")
    NOT_RECEIVED = "not_received", _("Not received")
    IN_PROCESSING = "in_processing", _("In processing")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STOPPED = "stopped", _("Processing stopped")
    FINISHED = "finished", _("Result ready")
    RETURNED = "returned", _("Result returned")


# The national public-service portal's status codes (DOMAIN.md).
NATIONAL_STATUS = {
    DossierStatus.DRAFT: None,
    DossierStatus.SUBMITTED: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.NOT_RECEIVED: 3,
    DossierStatus.IN_PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.AWAITING_PAYMENT: 6,
    DossierStatus.WITHDRAWAL_REQUESTED: 7,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.FINISHED: 9,
    DossierStatus.RETURNED: 10,
}

# States in which the applicant may still withdraw (before a decision).
WITHDRAWABLE = [
    DossierStatus.SUBMITTED, DossierStatus.RECEIVED, DossierStatus.IN_PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT,
]
# States that end a dossier's processing.
ENDED = [DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.RETURNED]


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POSTAL = "postal", _("By post")


class Delivery(models.TextChoices):
    """How the applicant receives the result."""

    ONLINE = "online", _("Online (download)")
    COUNTER = "counter", _("At the one-stop desk")
    POST = "post", _("By post")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received by the one-stop desk")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    RESUBMITTED = "resubmitted", _("Supplement submitted")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWAL_CONFIRMED = "withdrawal_confirmed", _("Withdrawal confirmed")
    RATED = "rated", _("Rated")


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded with a dossier")
    RESULT = "result", _("Result of a dossier")
