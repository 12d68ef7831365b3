from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import CaseState


class DestructionCase(models.Model):
    """A dossier whose retention has ended, on its agency's destruction list until a leader
    decides: approve (then it is destroyed), postpone to a date, or place it on legal hold."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="destruction_case"
    )
    agency = models.ForeignKey(
        "procedures.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="destruction_cases"
    )
    ended_on = models.DateField(_("ended on"))
    retention_years = models.PositiveSmallIntegerField(_("retention (years)"))
    retention_ends_on = models.DateField(_("retention ends on"))
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.LISTED)
    postponed_until = models.DateField(_("postponed until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Every decision, oldest first: {"action", "by", "by_name", "at", "reason", "until"}.
    history = models.JSONField(default=list, blank=True, editable=False)
    listed_at = models.DateTimeField(_("listed"), auto_now_add=True)
    destroyed_at = models.DateTimeField(_("destroyed"), null=True, blank=True)

    class Meta:
        verbose_name = _("destruction list entry")
        verbose_name_plural = _("destruction list")
        ordering = ["retention_ends_on", "pk"]
        indexes = [models.Index(fields=["agency", "state", "retention_ends_on"], name="destruction_list_idx")]

    def __str__(self):
        return f"{self.dossier.code}: {self.get_state_display()}"


class DestructionRecord(models.Model):
    """What was destroyed, when and on whose approval: kept for ever. No foreign key (nothing it
    names may cascade into it, and it outlives the accounts); never changed or deleted."""

    dossier_code = models.CharField(_("dossier code"), max_length=48, db_index=True)
    procedure_code = models.CharField(_("procedure code"), max_length=32)
    procedure_version = models.PositiveIntegerField(_("procedure version"))
    agency_code = models.CharField(_("agency code"), max_length=32, db_index=True)
    agency_name = models.CharField(_("agency"), max_length=255)
    ended_on = models.DateField(_("ended on"))
    retention_years = models.PositiveSmallIntegerField(_("retention (years)"))
    retention_ends_on = models.DateField(_("retention ended on"))
    approved_by_id = models.PositiveBigIntegerField(_("approved by (account id)"))
    approved_by_name = models.CharField(_("approved by"), max_length=150)
    approved_at = models.DateTimeField(_("approved"))
    destroyed_at = models.DateTimeField(_("destroyed"))
    # The archive package's hash when the dossier had one (archive app), else empty.
    package_sha256 = models.CharField(_("archive package SHA-256"), max_length=64, blank=True)
    # SHA-256 of the sorted list of (kind, SHA-256) of every file destroyed: what was destroyed.
    manifest_sha256 = models.CharField(_("destroyed files' manifest SHA-256"), max_length=64)
    files_deleted = models.PositiveIntegerField(_("files deleted"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self):
        return f"{self.dossier_code} ({self.destroyed_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Destruction records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Destruction records are never deleted.")
