from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    VNPAY = "vnpay", _("Online payment gateway (VNPAY)")
    SANDBOX = "sandbox", _("Test payment gateway")
    VIETQR = "vietqr", _("Bank transfer by QR code (VietQR)")
    COUNTER = "counter", _("Cash at the counter")
