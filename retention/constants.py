from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.constants import DossierStatus

S = DossierStatus


class CaseState(models.TextChoices):
    """Where a dossier stands on its agency's destruction list."""

    LISTED = "listed", _("Awaiting a decision")
    POSTPONED = "postponed", _("Postponed")
    ON_HOLD = "on_hold", _("On legal hold")
    APPROVED = "approved", _("Approved for destruction")
    DESTROYED = "destroyed", _("Destroyed")


# A dossier's retention counts from the day it was closed: its result returned, refused (at the
# desk or after appraisal), stopped or withdrawn. "Finished" is not closed: the result waits.
CLOSED = [S.RETURNED, S.NOT_RECEIVED, S.REFUSED, S.STOPPED, S.WITHDRAWN]
# The decisions a leader may take from each state.
APPROVABLE = {CaseState.LISTED, CaseState.POSTPONED}
POSTPONABLE = {CaseState.LISTED, CaseState.POSTPONED, CaseState.APPROVED}
HOLDABLE = {CaseState.LISTED, CaseState.POSTPONED, CaseState.APPROVED}
