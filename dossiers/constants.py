from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.constants import ScanStatus  # noqa: F401 - files of dossiers carry it (portal/uploads.py)


class DossierStatus(models.TextChoices):
    """Where a dossier is in its lifecycle; each maps to one of the national portal's 10 statuses."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting reception")
    RECEIVED = "received", _("Received")
    NOT_RECEIVED = "not_received", _("Not received")
    IN_PROCESSING = "in_processing", _("In processing")
    CONSULTING = "consulting", _("Consulting another agency")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved, result being issued")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("Refused after appraisal")
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
    DossierStatus.CONSULTING: 4,
    DossierStatus.AWAITING_APPROVAL: 4,
    DossierStatus.APPROVED: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.AWAITING_PAYMENT: 6,
    DossierStatus.WITHDRAWAL_REQUESTED: 7,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.REFUSED: 8,
    DossierStatus.STOPPED: 8,
    DossierStatus.FINISHED: 9,
    DossierStatus.RETURNED: 10,
}
# The national portal's names for those codes (its status list), shown next to the number at the desk.
NATIONAL_STATUS_LABELS = {
    1: _("Newly submitted"),
    2: _("Received"),
    3: _("Not received"),
    4: _("Being processed"),
    5: _("Supplement requested"),
    6: _("Awaiting financial obligations"),
    7: _("Withdrawal requested"),
    8: _("Processing stopped"),
    9: _("Processed"),
    10: _("Result returned"),
}

# Before a decision: the applicant may still withdraw, an officer may still stop or extend.
OPEN = [
    DossierStatus.SUBMITTED,
    DossierStatus.RECEIVED,
    DossierStatus.IN_PROCESSING,
    DossierStatus.CONSULTING,
    DossierStatus.AWAITING_APPROVAL,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.AWAITING_PAYMENT,
]
WITHDRAWABLE = OPEN
# A fee owed can be paid (online, or at the desk) while the dossier is in one of these.
PAYABLE = (
    DossierStatus.SUBMITTED,
    DossierStatus.RECEIVED,
    DossierStatus.IN_PROCESSING,
    DossierStatus.AWAITING_PAYMENT,
    DossierStatus.APPROVED,
)
# Processing has ended: these are classified early / on time / late.
ENDED = [
    DossierStatus.NOT_RECEIVED,
    DossierStatus.WITHDRAWN,
    DossierStatus.REFUSED,
    DossierStatus.STOPPED,
    DossierStatus.FINISHED,
    DossierStatus.RETURNED,
]


# What officers' queues hold: submitted and not yet returned (partial indexes cover exactly these).
IN_QUEUE = [
    DossierStatus.FINISHED,  # the result waits to be handed back
    DossierStatus.SUBMITTED,
    DossierStatus.RECEIVED,
    DossierStatus.IN_PROCESSING,
    DossierStatus.CONSULTING,
    DossierStatus.AWAITING_APPROVAL,
    DossierStatus.APPROVED,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.AWAITING_PAYMENT,
    DossierStatus.WITHDRAWAL_REQUESTED,
]


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


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
    RECEPTION_REFUSED = "reception_refused", _("Reception refused")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    RESUBMITTED = "resubmitted", _("Supplement submitted")
    ASSIGNED = "assigned", _("Assigned to a specialist")
    CONSULTATION_SENT = "consultation_sent", _("Sent to another agency for its opinion")
    CONSULTATION_ANSWERED = "consultation_answered", _("Opinion of the other agency received")
    SUBMITTED_FOR_APPROVAL = "submitted_for_approval", _("Submitted for approval")
    SENT_BACK = "sent_back", _("Sent back for rework")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused after appraisal")
    PAYMENT_REQUESTED = "payment_requested", _("Payment requested")
    PAYMENT_CONFIRMED = "payment_confirmed", _("Payment confirmed")
    FEE_EXEMPTED = "fee_exempted", _("Fee waived")
    RESULT_ISSUED = "result_issued", _("Result issued and signed")
    RESULT_RETURNED = "result_returned", _("Result returned")
    POSTAL_RETURNED = "postal_returned", _("The post brought the result back to the desk")
    STOPPED = "stopped", _("Processing stopped")
    EXTENDED = "extended", _("Apology and new appointment date")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWAL_CONFIRMED = "withdrawal_confirmed", _("Withdrawal confirmed")
    RATED = "rated", _("Rated")
    FILE_QUARANTINED = "file_quarantined", _("A file was removed: a virus was found in it")
    MESSAGE = "message", _("Message")
    DESTROYED = "destroyed", _("Retention ended: files destroyed, personal data anonymised")


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded with a dossier")
    RESULT = "result", _("Result of a dossier")
    RECEIPT = "receipt", _("Receipt of a payment")
