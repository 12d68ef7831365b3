"""The dossier state machine (django-fsm-2): guards and state changes only.

Services call these methods inside a transaction that locks the row and writes the audit
event; nothing else may change `status` (the field is protected). Each officer transition has
its entry in transitions.py (label, parameters, who may make it, service). A guard that can
refuse carries the words the officer is told (`refusing`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from .constants import OPEN, DossierStatus

S = DossierStatus


def refusing(message):
    """Mark a guard with what the officer is told when it makes its transition impossible now."""

    def mark(condition):
        condition.refusal = message
        return condition

    return mark


class DossierWorkflow(ConcurrentTransitionMixin, models.Model):
    status = FSMField(_("status"), max_length=32, choices=DossierStatus.choices, default=S.DRAFT, protected=True)
    # Where to go back to when an interruption (withdrawal request, payment) ends.
    status_before_interruption = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        abstract = True

    # --- The applicant ------------------------------------------------------------------------
    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self):
        pass

    # Asked at reception, the answer goes back to the desk, which receives it (Form 01) or asks
    # again; asked during appraisal, the dossier was received already and appraisal goes on.
    @transition(field=status, source=S.SUPPLEMENT_REQUESTED, target=RETURN_VALUE(S.SUBMITTED, S.RECEIVED))
    def resubmit(self):
        return S.RECEIVED if self.received_at else S.SUBMITTED

    @transition(field=status, source=OPEN, target=S.WITHDRAWAL_REQUESTED)
    def request_withdrawal(self):
        self.status_before_interruption = self.status

    # --- The one-stop desk --------------------------------------------------------------------
    @transition(field=status, source=S.SUBMITTED, target=S.RECEIVED)
    def receive(self):
        pass

    # --- A supplement not answered in time (SUPPLEMENT_ANSWER_WORKING_DAYS) -----------------------
    # Nothing happens by itself once its answer_by has passed: the dossier shows in the queue's
    # "Supplement overdue" view, a late answer is still taken, and the desk (asked at reception) or
    # the competent agency (asked during appraisal) may refuse it with the usual refusal.
    def _supplement_overdue(self) -> bool:
        request = self.supplement_requests.filter(answered_at__isnull=True).order_by("-round").first()
        return request is not None and request.overdue

    @refusing(_("The applicant may still send the supplement: refuse only once its deadline has passed."))
    def _not_waiting_or_overdue(self) -> bool:
        return self.status != S.SUPPLEMENT_REQUESTED or self._supplement_overdue()

    @refusing(_("This dossier was received already: it is refused after appraisal (Form 03)."))
    def _not_received_if_waiting(self) -> bool:
        return self.status != S.SUPPLEMENT_REQUESTED or self.received_at is None

    @refusing(_("This dossier was not received yet: the one-stop desk refuses its reception."))
    def _received_if_waiting(self) -> bool:
        return self.status != S.SUPPLEMENT_REQUESTED or self.received_at is not None

    @transition(
        field=status,
        source=[S.SUBMITTED, S.SUPPLEMENT_REQUESTED],
        target=S.NOT_RECEIVED,
        conditions=[_not_received_if_waiting, _not_waiting_or_overdue],
    )
    def refuse_reception(self):
        pass

    @transition(field=status, source=[S.SUBMITTED, S.RECEIVED, S.IN_PROCESSING], target=S.SUPPLEMENT_REQUESTED)
    def request_supplement(self):
        pass

    @transition(field=status, source=S.WITHDRAWAL_REQUESTED, target=S.WITHDRAWN)
    def confirm_withdrawal(self):
        pass

    @transition(field=status, source=S.FINISHED, target=S.RETURNED)
    def return_result(self):
        pass

    # --- Routing and appraisal ----------------------------------------------------------------
    @transition(field=status, source=[S.RECEIVED, S.IN_PROCESSING], target=S.IN_PROCESSING)
    def assign(self):
        pass

    @transition(field=status, source=S.IN_PROCESSING, target=S.CONSULTING)
    def consult(self):
        pass

    @transition(field=status, source=S.CONSULTING, target=S.IN_PROCESSING)
    def record_consultation(self):
        pass

    @transition(field=status, source=S.IN_PROCESSING, target=S.AWAITING_APPROVAL)
    def submit_for_approval(self):
        pass

    @transition(
        field=status,
        source=[S.IN_PROCESSING, S.AWAITING_APPROVAL, S.SUPPLEMENT_REQUESTED],
        target=S.REFUSED,
        conditions=[_received_if_waiting, _not_waiting_or_overdue],
    )
    def refuse(self):
        pass

    @transition(field=status, source=[S.IN_PROCESSING, S.APPROVED], target=S.AWAITING_PAYMENT)
    def request_payment(self):
        self.status_before_interruption = self.status

    @transition(field=status, source=S.AWAITING_PAYMENT, target=RETURN_VALUE(S.IN_PROCESSING, S.APPROVED))
    def confirm_payment(self):
        return self.status_before_interruption or S.IN_PROCESSING

    # --- Leaders ------------------------------------------------------------------------------
    @transition(field=status, source=S.AWAITING_APPROVAL, target=S.IN_PROCESSING)
    def send_back(self):
        pass

    @transition(field=status, source=S.AWAITING_APPROVAL, target=S.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=S.APPROVED, target=S.FINISHED)
    def issue_result(self):
        pass

    @transition(field=status, source=[*OPEN, S.APPROVED, S.WITHDRAWAL_REQUESTED], target=S.STOPPED)
    def stop(self):
        pass

    @refusing(_("This dossier has no appointment date yet."))
    def _has_due_date(self) -> bool:
        return self.due_at is not None

    # The one place "rescheduled only once" is decided.
    @refusing(_("The appointment date of a dossier can be rescheduled only once."))
    def _not_rescheduled(self) -> bool:
        return self.extended_at is None

    @transition(field=status, source=[*OPEN, S.APPROVED], target=None, conditions=[_has_due_date, _not_rescheduled])
    def extend(self):
        """The apology and new appointment date (Form 04): the state stays, the due date moves."""
