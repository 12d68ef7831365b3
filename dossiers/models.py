import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.constants import StaffRole
from portal.storage import PRIVATE

from .constants import (
    IN_QUEUE,
    NATIONAL_STATUS,
    NATIONAL_STATUS_LABELS,
    Channel,
    Delivery,
    DocumentSource,
    DossierStatus,
    EventKind,
    ScanStatus,
    Timeliness,
)
from .files import JPEG, PDF, PNG
from .search import SEARCH_SOURCES, dossier_search_key
from .workflow import DossierWorkflow

S = DossierStatus
PREVIEW_TYPES = frozenset({PDF, JPEG, PNG})


def private_storage():
    """Attachments and results: never under a public URL, served only through checked views."""
    return PRIVATE


def attachment_path(instance, filename):
    return f"dossiers/{instance.dossier.public_id}/{uuid.uuid4().hex}-{filename}"


def stored_document_path(instance, filename):
    return f"store/{instance.owner_id}/{uuid.uuid4().hex}-{filename}"


class Dossier(DossierWorkflow):
    """An application for one procedure, bound to the exact version it was filed under."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=48, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed at the counter by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The applicant's details as submitted: the profile may change later, the dossier may not.
    applicant_name = models.CharField(_("applicant"), max_length=150, blank=True)
    applicant_id_number = models.CharField(_("personal ID number"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)
    # Normalised name, code, ID number and phone for the officer queue search (dossiers/search.py).
    search_key = models.CharField(max_length=255, editable=False, default="")
    form_data = models.JSONField(_("application form"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    delivery = models.CharField(_("result delivery"), max_length=16, choices=Delivery.choices, default=Delivery.ONLINE)
    delivery_address = models.CharField(_("postal address for the result"), max_length=255, blank=True)
    # Copied from the procedure version at submission: queues filter on it without a join.
    cross_boundary = models.BooleanField(_("cross-boundary"), default=False)
    receiving_agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    competent_agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("competent agency"),
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("specialist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    step_started_at = models.DateTimeField(_("current step started"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("current step due"), null=True, blank=True)
    consulted_agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("consulted agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("rescheduled"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("due date before rescheduling"), null=True, blank=True)
    timeliness = models.CharField(_("finished"), max_length=8, choices=Timeliness.choices, blank=True)
    collected_by = models.CharField(_("result collected by"), max_length=150, blank=True)
    # Set by the deadline sweep (set-based UPDATE): each threshold is announced once per due date.
    due_soon_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A draft untouched for long is warned once, then deleted (dossiers.sweeps.draft_sweep).
    draft_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    fee_due = models.PositiveIntegerField(_("fee due (đồng)"), default=0)
    # Pages or copies asked for, per fee charged per unit ({fee id: quantity}).
    fee_quantities = models.JSONField(_("quantities"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    counting_from = models.DateTimeField(_("deadline counted from"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_idx"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due_idx"),
            # The officer queues: an agency's dossiers in the queue by due time, and a specialist's
            # own; partial, so they hold only the open fifth of the table.
            models.Index(
                fields=["competent_agency", "due_at"], condition=Q(status__in=IN_QUEUE), name="dossier_queue_idx"
            ),
            models.Index(
                fields=["receiving_agency", "due_at"], condition=Q(status__in=IN_QUEUE), name="dossier_desk_queue_idx"
            ),
            models.Index(
                fields=["consulted_agency", "due_at"], condition=Q(status__in=IN_QUEUE), name="dossier_consulted_idx"
            ),
            models.Index(
                fields=["assigned_to", "due_at"], condition=Q(status__in=IN_QUEUE), name="dossier_assigned_idx"
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status="submitted", cross_boundary=True),
                name="dossier_cross_boundary_idx",
            ),
        ]

    def __str__(self):
        return self.code or f"draft {self.public_id}"

    def save(self, *args, update_fields=None, **kwargs):
        # The search key follows its sources whichever service saves them.
        self.search_key = dossier_search_key(
            code=self.code or "",
            name=self.applicant_name,
            id_number=self.applicant_id_number,
            phone=self.applicant_phone,
        )
        if update_fields is not None and SEARCH_SOURCES & set(update_fields):
            update_fields = {*update_fields, "search_key"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def national_status(self) -> int | None:
        return NATIONAL_STATUS[self.status]

    @property
    def national_status_label(self) -> str:
        """The national portal's name for its status code, for the desk (never a bare number)."""
        return NATIONAL_STATUS_LABELS.get(self.national_status, "")


class DossierEvent(models.Model):
    """One thing that happened to a dossier: the audit trail. Never updated or deleted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The role the actor acted in (blank for the applicant and the system).
    role = models.CharField(_("role"), max_length=20, blank=True, choices=StaffRole.choices)
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    public = models.BooleanField(_("shown to the applicant"), default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.dossier}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Dossier events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Dossier events are never deleted.")

    @classmethod
    def anonymise_for(cls, dossier_id: int, *, placeholder: str, scrub) -> int:
        """The one change an event ever sees: at the end of the dossier's retention its comment
        becomes `placeholder` and its data passes through `scrub` (dossiers/erasure.py); kind,
        time, actor, role, agency and statuses stay, so the trail and the indicators do too.
        A queryset update on purpose: save() refuses every other change. Returns the rows changed."""
        changed = 0
        for pk, comment, data in cls.objects.filter(dossier_id=dossier_id).values_list("pk", "comment", "data"):
            new_comment, new_data = (placeholder if comment else ""), scrub(data)
            if new_comment != comment or new_data != data:
                changed += cls.objects.filter(pk=pk).update(comment=new_comment, data=new_data)
        return changed


class StoredDocument(models.Model):
    """A document in the citizen's store (kho dữ liệu cá nhân), reusable across dossiers."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_documents")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.CharField(_("document type"), max_length=500)
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(storage=private_storage, upload_to=stored_document_path, max_length=500)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Uploads carry their attachment's status; documents the portal made itself are not scanned.
    scan_status = models.CharField(
        _("virus scan"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.UNSCANNED
    )
    source = models.CharField(_("source"), max_length=16, choices=DocumentSource.choices)
    source_dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256", "document_type"], name="stored_document_once"),
        ]

    def __str__(self):
        return f"{self.document_type}: {self.name}"


class Attachment(models.Model):
    """A file attached to a dossier for one required document (or as another document)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requirement = models.ForeignKey(
        "procedures.DocumentRequirement",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=500)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # PENDING until clamd answered: the file is listed but nobody can open it (dossiers/scanning.py).
    scan_status = models.CharField(
        _("virus scan"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    reused_from = models.ForeignKey(
        StoredDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses"
    )
    supplement_round = models.PositiveSmallIntegerField(default=0)
    # Sent with a message of the dossier's thread (DossierMessage): listed with it, checked alike.
    message = models.ForeignKey(
        "DossierMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["requirement__position", "uploaded_at", "pk"]
        indexes = [
            # "Reusing a stored document" (Decision 766): a small index the indicators read
            # instead of every attachment.
            models.Index(fields=["dossier"], condition=Q(reused_from__isnull=False), name="attachment_reused_idx"),
            # The beat sweep's "what is still waiting for the scanner" (unscanned: stored while there was none).
            models.Index(
                fields=["uploaded_at"],
                condition=Q(scan_status__in=["pending", "unscanned"]),
                name="attachment_scan_pending_idx",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def previewable(self) -> bool:
        """Shown inline (the desk's preview): a PDF, JPEG or PNG the virus scanner found clean."""
        return self.scan_status == ScanStatus.CLEAN and self.content_type in PREVIEW_TYPES


class DossierCodeSequence(models.Model):
    """The last number used for dossier codes of one receiving unit on one day."""

    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_sequence_unique")]


class SupplementRequest(models.Model):
    """What the desk asked the applicant to add, and why (Form 02); everything at once."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="supplement_requests")
    round = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # [{"requirement": id|None, "what": str, "why": str, "files": [attachment public ids, once answered]}]
    items = models.JSONField(_("what is missing"), default=list)
    message = models.TextField(_("message to the applicant"), blank=True)
    answer_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("applicant's note"), blank=True)

    class Meta:
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round"], name="supplement_round_unique")]

    @property
    def overdue(self) -> bool:
        """Unanswered past its answer_by: a late answer is still taken; the dossier may be refused."""
        return self.answered_at is None and self.answer_by is not None and self.answer_by < timezone.now()


class Rating(models.Model):
    """The applicant's rating of the service (Decree 61 Art. 31), one per dossier."""

    SCALE = [(2, _("Satisfied")), (1, _("Acceptable")), (0, _("Not satisfied"))]
    # The five criteria of Decree 61 Art. 31, one field each: the form, the API, the admin and
    # the indicators all read this list.
    CRITERIA = ("time_to_result", "contacts", "published_information", "staff_attitude", "online_service")
    # "How many contacts did it take?" is not answered with "satisfied": the same three grades,
    # worded for the question (stored as 2/1/0 like the others, so the indicators are unchanged).
    CONTACTS_SCALE = [(2, _("Once")), (1, _("Twice")), (0, _("Three times or more"))]

    @classmethod
    def scale_for(cls, criterion: str) -> list:
        return cls.CONTACTS_SCALE if criterion == "contacts" else cls.SCALE

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer given) for each criterion, in the words of the rating form."""
        return [
            (self._meta.get_field(name).verbose_name, dict(self.scale_for(name)).get(getattr(self, name), ""))
            for name in self.CRITERIA
        ]

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    time_to_result = models.PositiveSmallIntegerField(_("time to get the result"), choices=SCALE)
    contacts = models.PositiveSmallIntegerField(_("number of contacts needed"), choices=SCALE)
    published_information = models.PositiveSmallIntegerField(_("accuracy of the published information"), choices=SCALE)
    staff_attitude = models.PositiveSmallIntegerField(_("staff attitude"), choices=SCALE)
    online_service = models.PositiveSmallIntegerField(_("quality of the online service"), choices=SCALE)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")


class DossierDocument(models.Model):
    """A generated paper form or result of a dossier, rendered once and stored."""

    class Kind(models.TextChoices):
        FORM01 = "form01", _("Receipt and appointment (Form 01)")
        FORM02 = "form02", _("Supplement request (Form 02)")
        FORM03 = "form03", _("Refusal (Form 03)")
        FORM04 = "form04", _("Apology and new appointment (Form 04)")
        FORM05 = "form05", _("Processing control sheet (Form 05)")
        RESULT = "result", _("Result (digitally signed)")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to="documents/%Y/%m/", max_length=500)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="document_once")]

    def __str__(self):
        return f"{self.dossier}: {self.get_kind_display()}"


def officer_file_path(instance, filename):
    return f"officer-files/{instance.dossier.public_id}/{uuid.uuid4().hex}-{filename}"


class OfficerFile(models.Model):
    """A file an officer attaches while processing: the specialist's appraisal report (sent with
    the dossier for approval) or a consulted agency's answer. Internal: never the applicant's to
    see, never among the dossier's attachments; checked like every upload (portal/uploads.py),
    and refused when the virus scanner does not answer, so it is never stored unscanned-pending."""

    class Kind(models.TextChoices):
        APPRAISAL = "appraisal", _("Appraisal report")
        CONSULTATION = "consultation", _("Consulted agency's answer")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="officer_files")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to=officer_file_path, max_length=500)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(
        _("virus scan"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.UNSCANNED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("officer file")
        verbose_name_plural = _("officer files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class DossierMessage(models.Model):
    """One message of the thread between the applicant and the officers on a dossier. Kept with
    the dossier (never deleted); its attachments are the dossier's Attachments, checked and
    scanned like every upload. Read state per side: the applicant reads the officers' messages,
    the officers read the applicant's."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="messages")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    from_applicant = models.BooleanField(_("from the applicant"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    # When the other side first read it (None: unread).
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier message")
        verbose_name_plural = _("dossier messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["dossier", "from_applicant"], condition=Q(read_at__isnull=True), name="message_unread_idx"
            ),
        ]

    def __str__(self):
        return f"{self.dossier}: {self.body[:40]}"


class DossierAccess(models.Model):
    """One read of a dossier by a member of staff (Decree 13/2023: the person may know who processed
    their data): the desk page, an attachment, a generated document or PDF, the API. One INSERT per
    read, never a SELECT; the applicant's own reads are not written. Kept ACCESS_LOG_RETENTION_DAYS."""

    class What(models.TextChoices):
        PAGE = "page", _("dossier page")
        ATTACHMENT = "attachment", _("attached file")
        DOCUMENT = "document", _("issued document")
        PDF = "pdf", _("PDF preview")
        API = "api", _("through the API")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="accesses", db_constraint=True)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey(DossierDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, blank=True, choices=StaffRole.choices)
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what = models.CharField(_("what"), max_length=12, choices=What.choices)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("dossier access")
        verbose_name_plural = _("dossier accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["dossier", "-at"], name="dossier_access_idx")]

    def __str__(self):
        return f"{self.dossier_id} {self.what} {self.staff_id} {self.at:%Y-%m-%d %H:%M}"
