from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    # The fee was changed after this payment was opened: it can no longer be paid.
    VOIDED = "voided", _("Cancelled: the fee changed")


class PaymentMethod(models.TextChoices):
    VNPAY = "vnpay", _("Online payment gateway (VNPAY)")
    SANDBOX = "sandbox", _("Test payment gateway")
    VIETQR = "vietqr", _("Bank transfer by QR code (VietQR)")
    COUNTER = "counter", _("Cash at the counter")


class OverpaymentReason(models.TextChoices):
    SUPERSEDED = "superseded", _("Paid after the fee was changed")
    ALREADY_PAID = "already_paid", _("The dossier was already paid")
    DUPLICATE = "duplicate", _("The same payment was made twice")


class OverpaymentStatus(models.TextChoices):
    TO_REFUND = "to_refund", _("To refund")
    REFUNDED = "refunded", _("Refunded")
