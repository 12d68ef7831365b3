from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Handed to the post")
    DELIVERED = "delivered", _("Delivered")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to the sender")


class Shipment(models.Model):
    """The result of one dossier sent by post: the carrier's order and its tracking code."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="shipment")
    tracking_code = models.CharField(_("tracking code"), max_length=64, unique=True)
    address = models.CharField(_("postal address"), max_length=255)
    status = models.CharField(_("status"), max_length=24, choices=ShipmentStatus.choices, default="created")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.tracking_code} ({self.get_status_display()})"


class ShipmentEvent(models.Model):
    """One status notification of the carrier, kept once (its event id makes a replay harmless)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.shipment.tracking_code}: {self.status}"


class SandboxOrder(models.Model):
    """An order the built-in sandbox carrier accepted (tests and `make run` only)."""

    tracking_code = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=64, unique=True)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
