from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.constants import StaffRole
from portal.template_sandbox import sandbox_template

from .constants import CalendarDayKind, FeeUnit, Level, ResultType, ServiceLevel, VersionStatus
from .search import normalize_search


class LocalizedNameMixin:
    """`display_name` is the English name when English is active and one is set."""

    @property
    def display_name(self) -> str:
        if (get_language() or "vi").startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        return self.name


class Agency(LocalizedNameMixin, models.Model):
    """A government body in a tree of any depth: province, departments, communes, ..."""

    code = models.CharField(
        _("unit code"), max_length=32, unique=True, help_text=_("Used in dossier codes, e.g. 000.00.06.H56.")
    )
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Where citizens hand dossiers in (the one-stop desk), shown on each procedure's page.
    address = models.CharField(_("desk address"), max_length=255, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=255, blank=True, help_text=_("E.g. Mon–Fri 7:30–11:30, 13:30–17:00.")
    )
    hotline = models.CharField(_("hotline"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Blank: the province's POSTAL_FEE_VND. A remote commune's contract with the post may cost more.
    postal_fee_vnd = models.PositiveIntegerField(
        _("postal fee (VND)"),
        null=True,
        blank=True,
        help_text=_("What sending a result by post costs from this agency's desk; blank: the province's default."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        # Walk up the tree: an agency may not become its own ancestor.
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("An agency cannot be placed under itself or its sub-agencies.")})
            node = node.parent

    def descendant_ids(self) -> list[int]:
        """This agency and every agency below it (one query per level of the tree)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Field(LocalizedNameMixin, models.Model):
    """A sector of procedures (lĩnh vực), e.g. civil status."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Procedure(models.Model):
    """The stable identity of an administrative procedure; its content lives in versions."""

    code = models.CharField(_("procedure code"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self):
        return self.code


class ImmutableVersionError(Exception):
    """Raised when something tries to change a published or archived version."""


class ProcedureVersion(LocalizedNameMixin, models.Model):
    """One version of a procedure's content. Published versions never change."""

    # Fields a status change may write on a version that is no longer a draft.
    LIFECYCLE_FIELDS = frozenset({"status", "published_at", "archived_at"})

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    field = models.ForeignKey(Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="versions")
    agency = models.ForeignKey(
        Agency, verbose_name=_("performing agency"), on_delete=models.PROTECT, related_name="procedure_versions"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    service_level = models.CharField(
        _("online service level"), max_length=16, choices=ServiceLevel.choices, default=ServiceLevel.FULL
    )
    partial_reason = models.CharField(
        _("why not fully online"), max_length=255, blank=True, help_text=_("Published for partial-online procedures.")
    )
    processing_days = models.PositiveSmallIntegerField(
        _("processing time (working days)"), help_text=_("0 means the same working day.")
    )
    result_type = models.CharField(
        _("result"), max_length=16, choices=ResultType.choices, default=ResultType.ELECTRONIC
    )
    cross_boundary = models.BooleanField(
        _("cross-boundary"), default=False, help_text=_("Can be received at any one-stop desk of the province.")
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    # How long dossiers of this version are kept after they end (retention app): a number of
    # years, empty for the province default (RETENTION_DEFAULT_YEARS), or kept for ever.
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Years a dossier is kept after it ends. Empty: the province default."),
    )
    retention_permanent = models.BooleanField(
        _("kept permanently"), default=False, help_text=_("Dossiers of this version are never destroyed.")
    )
    form_schema = models.JSONField(_("application form"), default=list, blank=True)
    result_template = models.TextField(
        _("result document template"),
        blank=True,
        help_text=_(
            "HTML with placeholders such as {{ dossier.code }}, {{ dossier.applicant_name }}, "
            "{{ form.field_name }}, {{ today }}. Empty: the standard result template."
        ),
    )
    search_name = models.CharField(max_length=500, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published"),
                name="one_published_version",
                violation_error_message=_("This procedure already has a published version."),
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="draft"),
                name="one_draft_version",
                violation_error_message=_("This procedure already has a draft: edit that draft instead."),
            ),
        ]
        indexes = [models.Index(fields=["status", "search_name"], name="version_public_idx")]

    def __str__(self):
        return f"{self.procedure.code} v{self.number} — {self.name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_editable(self) -> bool:
        return getattr(self, "_loaded_status", VersionStatus.DRAFT) == VersionStatus.DRAFT

    def clean(self):
        from .form_schema import validate_form_schema

        try:
            validate_form_schema(self.form_schema)
        except ValidationError as error:
            raise ValidationError({"form_schema": error.messages}) from None
        if self.retention_permanent and self.retention_years:
            raise ValidationError(
                {"retention_years": _("Leave the years empty for a version whose dossiers are kept permanently.")}
            )
        if self.result_template:
            from django.template import TemplateSyntaxError

            try:
                sandbox_template(self.result_template)  # only the sandbox's tags and filters
            except TemplateSyntaxError as error:
                raise ValidationError({"result_template": [str(error)]}) from None

    def save(self, *args, update_fields=None, **kwargs):
        if not self.is_editable and (update_fields is None or not set(update_fields) <= self.LIFECYCLE_FIELDS):
            raise ImmutableVersionError(f"{self} is {self._loaded_status}: edit a new draft instead.")
        if self.is_editable:
            self.refresh_search_fields()
            if update_fields is not None:
                update_fields = set(update_fields) | {"search_name", "search_text"}
        super().save(*args, update_fields=update_fields, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if not self.is_editable:
            raise ImmutableVersionError(f"{self} is {self._loaded_status} and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def effective_retention_years(self) -> int | None:
        """Years dossiers are kept after they end; None when they are kept for ever."""
        if self.retention_permanent:
            return None
        return self.retention_years or settings.RETENTION_DEFAULT_YEARS

    def refresh_search_fields(self):
        """Keep the diacritic-free copies that search compares against."""
        self.search_name = normalize_search(self.name)
        parts = [self.name, self.name_en, self.procedure.code, self.field.name, self.agency.name]
        self.search_text = normalize_search(" ".join(p for p in parts if p))

    @property
    def is_fee_free(self) -> bool:
        return all(fee.amount == 0 and not fee.online_amount for fee in self.fees.all())


class VersionChild(models.Model):
    """Rows that belong to one version and freeze with it."""

    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def _check_editable(self):
        if self.version_id and self.version.status != VersionStatus.DRAFT:
            raise ImmutableVersionError(f"{self.version} is {self.version.status}: edit a new draft instead.")

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)


# A blank form is a public file, downloaded (never shown inline): documents and sheets only.
TEMPLATE_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xls", "xlsx", "ods"]


class DocumentRequirement(LocalizedNameMixin, VersionChild):
    """A document the applicant must (or may) attach (thành phần hồ sơ)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    originals = models.PositiveSmallIntegerField(_("originals"), default=1)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    required = models.BooleanField(_("required"), default=True)
    template = models.FileField(
        _("template to download"),
        upload_to="procedure-templates/",
        blank=True,
        validators=[FileExtensionValidator(TEMPLATE_EXTENSIONS)],
    )

    class Meta(VersionChild.Meta):
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self):
        return self.name


class FeeRule(VersionChild):
    """A fee or charge: fixed, or per page / per copy with an optional tier and cap (in đồng)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee"), max_length=255)
    unit = models.CharField(_("charged"), max_length=16, choices=FeeUnit.choices, default=FeeUnit.DOSSIER)
    amount = models.PositiveIntegerField(_("amount (đồng)"))
    online_amount = models.PositiveIntegerField(
        _("amount when submitted online (đồng)"), null=True, blank=True, help_text=_("Leave empty if the same.")
    )
    tier_after = models.PositiveSmallIntegerField(
        _("tier starts after unit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("E.g. 2: from the 3rd page on, the tier amount applies."),
    )
    tier_amount = models.PositiveIntegerField(_("tier amount (đồng)"), null=True, blank=True)
    cap = models.PositiveIntegerField(_("cap (đồng)"), null=True, blank=True)

    class Meta(VersionChild.Meta):
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self):
        return self.name

    def clean(self):
        if (self.tier_after is None) != (self.tier_amount is None):
            raise ValidationError(_("Give both the unit the tier starts after and the tier amount, or neither."))
        if self.unit == FeeUnit.DOSSIER and (self.tier_after is not None or self.cap is not None):
            raise ValidationError(_("Tiers and caps apply only to fees charged per page or per copy."))

    def amount_for(self, quantity: int = 1, *, online: bool = False) -> int:
        """The fee in đồng for `quantity` pages or copies (ignored for a per-dossier fee)."""
        unit_price = self.online_amount if online and self.online_amount is not None else self.amount
        if self.unit == FeeUnit.DOSSIER:
            return unit_price
        quantity = max(quantity, 0)
        if self.tier_after is not None and quantity > self.tier_after:
            total = unit_price * self.tier_after + self.tier_amount * (quantity - self.tier_after)
        else:
            total = unit_price * quantity
        return min(total, self.cap) if self.cap is not None else total


class StepTemplate(LocalizedNameMixin, VersionChild):
    """One step of the procedure's processing, with the role that does it and its working days."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("step"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    working_days = models.DecimalField(_("working days"), max_digits=5, decimal_places=1, default=0)

    class Meta(VersionChild.Meta):
        verbose_name = _("processing step")
        verbose_name_plural = _("processing steps")

    def __str__(self):
        return self.name


class CalendarOverride(models.Model):
    """A declared exception to the working-day calendar: an extra day off or a working Saturday."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("this day is a"), max_length=16, choices=CalendarDayKind.choices)
    note = models.CharField(_("reason"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}: {self.get_kind_display()}"


class SearchSynonym(models.Model):
    """Everyday wording a citizen types, and the catalogue's wording it stands for: 'hộ khẩu' ->
    'thường trú'. An empty replacement drops the words ('làm', 'xin'). Edited in the admin."""

    term = models.CharField(_("citizen's wording"), max_length=100)
    replacement = models.CharField(_("catalogue's wording"), max_length=255, blank=True)
    search_term = models.CharField(max_length=100, unique=True, editable=False)

    CACHE_KEY = "catalogue-search-synonyms"

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["search_term"]

    def __str__(self):
        return f"{self.term} → {self.replacement or '∅'}"

    def clean(self):
        self.search_term = normalize_search(self.term)
        if not self.search_term:
            raise ValidationError({"term": _("Enter a word or phrase.")})
        if SearchSynonym.objects.filter(search_term=self.search_term).exclude(pk=self.pk).exists():
            raise ValidationError({"term": _("This wording already has a synonym.")})

    def save(self, *args, **kwargs):
        from django.core.cache import cache

        self.search_term = normalize_search(self.term)
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)  # the search sees the change at once

    def delete(self, *args, **kwargs):
        from django.core.cache import cache

        result = super().delete(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        return result
