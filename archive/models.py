"""The archive package of an ended dossier: one BagIt zip, built once, kept in archive storage."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PackageState(models.TextChoices):
    BUILDING = "building", _("Being built")
    BUILT = "built", _("Built")
    FAILED = "failed", _("Failed")
    DESTROYED = "destroyed", _("Destroyed at the end of retention")


class ArchivePackage(models.Model):
    """Where a dossier's package is and what it must hash to. Only a BUILT row names a package
    anyone may download: a build that died left "building" (or "failed") and is simply redone."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="archive_package"
    )
    state = models.CharField(_("state"), max_length=16, choices=PackageState.choices, default=PackageState.BUILDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    storage_key = models.CharField(_("storage key"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the zip"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    payload_oxum = models.CharField(_("payload oxum"), max_length=40, blank=True)
    retention_until = models.DateField(_("keep until"), null=True, blank=True, help_text=_("Empty: permanently."))
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The RFC 3161 token over the tag manifest, kept as soon as the TSA gives it: a build killed
    # after that reuses it for the same manifest, so the rebuilt zip has the same bytes and hash.
    timestamp_token = models.BinaryField(_("time-stamp token"), blank=True, default=b"", editable=False)
    timestamp_manifest_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("archive package")
        verbose_name_plural = _("archive packages")
        ordering = ["-built_at", "-pk"]

    def __str__(self):
        return f"{self.dossier.code}: {self.get_state_display()}"
