from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """What a member of staff does at one agency."""

    RECEPTIONIST = "receptionist", _("One-stop desk officer")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader")


class ScanStatus(models.TextChoices):
    """Where a stored file stands with the virus scanner; only PENDING files cannot be opened."""

    PENDING = "pending", _("Being checked for viruses")
    CLEAN = "clean", _("Checked: no virus found")
    UNSCANNED = "unscanned", _("Not scanned: no virus scanner configured")
