import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from dossiers.models import private_storage

from .constants import OverpaymentReason, OverpaymentStatus, PaymentMethod, PaymentStatus

P = PaymentStatus


def new_reference() -> str:
    """A short reference banks and gateways accept (letters and digits, 14 characters)."""
    return "MC" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))


class Payment(ConcurrentTransitionMixin, models.Model):
    """One attempt to pay a dossier's fees, through one method."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(_("payment reference"), max_length=32, unique=True, default=new_reference)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    items = models.JSONField(_("fee lines"), default=list)
    status = FSMField(_("status"), max_length=16, choices=PaymentStatus.choices, default=P.PENDING, protected=True)
    gateway_transaction = models.CharField(_("gateway transaction"), max_length=64, blank=True)
    refunded_amount = models.PositiveBigIntegerField(_("refunded (đồng)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    # When the citizen was last sent to the gateway: the transaction date its query API asks for.
    requested_at = models.DateTimeField(_("sent to the gateway"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_idx")]
        constraints = [
            # A dossier is paid once: at most one paid payment per dossier.
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(status="paid"), name="dossier_paid_once"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.amount} đ, {self.get_status_display()})"

    @transition(field=status, source=P.PENDING, target=P.PAID)
    def pay(self):
        pass

    @transition(field=status, source=P.PENDING, target=P.FAILED)
    def fail(self):
        pass

    @transition(field=status, source=P.PENDING, target=P.EXPIRED)
    def expire(self):
        pass

    @transition(field=status, source=P.PENDING, target=P.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=P.PAID, target=P.REFUNDED)
    def refund(self):
        pass

    @transition(field=status, source=P.PENDING, target=P.VOIDED)
    def void(self):
        pass


class PaymentEvent(models.Model):
    """The audit trail of a payment; never updated or deleted."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=32, blank=True, help_text="ipn, return, sandbox, officer, reconciliation")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.payment.reference}: {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Payment events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Payment events are never deleted.")


class Overpayment(models.Model):
    """Money that arrived for a payment no longer owed (voided by a new amount, or for a dossier
    already paid): it never settles the dossier; the desk refunds it."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="overpayments")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="overpayments")
    amount = models.PositiveBigIntegerField(_("amount received (đồng)"))
    reason = models.CharField(_("reason"), max_length=16, choices=OverpaymentReason.choices)
    source = models.CharField(_("notified by"), max_length=32)
    gateway_transaction = models.CharField(_("gateway transaction"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=OverpaymentStatus.choices, default=OverpaymentStatus.TO_REFUND
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("refunded by"),
    )

    class Meta:
        verbose_name = _("over-payment")
        verbose_name_plural = _("over-payments")
        ordering = ["-created_at"]
        constraints = [
            # A replayed notification records nothing new.
            models.UniqueConstraint(fields=["payment", "gateway_transaction"], name="overpayment_once"),
        ]

    def __str__(self):
        return f"{self.payment.reference}: {self.amount} đ ({self.get_status_display()})"


class Receipt(models.Model):
    """The electronic receipt (biên lai điện tử) of a paid payment, issued once."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    file = models.FileField(storage=private_storage, upload_to="receipts/%Y/", max_length=300)
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.number


class AgencyPaymentSettings(models.Model):
    """Which ways of paying an agency accepts (chosen in the admin); all, when not set."""

    agency = models.OneToOneField("procedures.Agency", on_delete=models.CASCADE, related_name="payment_settings")
    online_gateway = models.BooleanField(_("online payment gateway (VNPAY)"), default=True)
    bank_qr = models.BooleanField(_("bank transfer by QR code (VietQR)"), default=True)
    bank_account = models.CharField(
        _("account for transfers"), max_length=19, blank=True, help_text=_("Empty: the province's collection account.")
    )

    class Meta:
        verbose_name = _("agency payment settings")
        verbose_name_plural = _("agency payment settings")

    def __str__(self):
        return str(self.agency)


class FeeExemption(models.TextChoices):
    """Why an officer waived a fee (the grounds most fee regulations list)."""

    MERIT = "merit", _("Person with meritorious services")
    POOR_HOUSEHOLD = "poor_household", _("Poor or near-poor household")
    CHILD = "child", _("Child under 6")
    DISABILITY = "disability", _("Person with a severe disability")
    OTHER = "other", _("Other ground set by law")


class SandboxTransaction(models.Model):
    """The built-in test gateway's own ledger, so that it can answer transaction queries like a
    real gateway (a payment whose notification was lost is still found by reconciliation)."""

    txn_ref = models.CharField(max_length=32, unique=True)
    amount = models.PositiveBigIntegerField()  # đồng
    order_info = models.CharField(max_length=255, blank=True)
    response_code = models.CharField(max_length=2)
    transaction_no = models.CharField(max_length=32)
    paid_at = models.DateTimeField()

    def __str__(self):
        return f"{self.txn_ref} ({self.response_code})"
