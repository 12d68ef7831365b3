"""Where each dossier event has to be sent (the national portal, webhook subscribers) and how far
each send has got: one Delivery row per event and target, retried until delivered or dead."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The target key of the national public-service portal; a subscription's is "sub:<id>".
NATIONAL_TARGET = "national"


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """A system that wants to hear about dossier events, at a URL, signed with its own secret."""

    name = models.CharField(_("name"), max_length=150)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        default=generate_secret,
        help_text=_("Give it to the subscriber: it checks the X-MotCua-Signature header with it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    event_kinds = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Leave empty to receive every event.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def target_key(self) -> str:
        return f"sub:{self.pk}"

    def wants(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED_RETRYING = "failed_retrying", _("Failed, will retry")
    DEAD = "dead", _("Dead (gave up)")


# Statuses in which a delivery still has to be attempted.
RETRIABLE = [DeliveryStatus.PENDING, DeliveryStatus.FAILED_RETRYING]


class Delivery(models.Model):
    """One series of attempts to send one dossier event to one target."""

    event = models.ForeignKey(
        "dossiers.DossierEvent", verbose_name=_("event"), on_delete=models.PROTECT, related_name="deliveries"
    )
    # NULL means the national portal; target_key makes (event, target) unique on every database,
    # since a unique constraint treats NULLs as distinct.
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    target_key = models.CharField(_("target"), max_length=32)
    target_url = models.URLField(_("URL"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Set while an attempt is under way, so that two workers never post the same delivery at once.
    in_flight_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # A resend starts a new series of attempts: the retry window counts from here.
    resent_at = models.DateTimeField(_("resent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "target_key"], name="delivery_once_per_target"),
        ]
        indexes = [
            # The beat sweep's query: only the few deliveries still to be attempted.
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=RETRIABLE), name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.target_name}"

    @property
    def is_national(self) -> bool:
        return self.target_key == NATIONAL_TARGET

    @property
    def target_name(self) -> str:
        if self.is_national:
            return str(_("National public-service portal"))
        return str(self.subscription) if self.subscription_id else self.target_key
