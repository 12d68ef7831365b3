"""Officer transitions: one form (its parameters) and one handler each, behind one dispatcher.

`dossier_act` is what the officer pages, the API and bulk actions call: it validates the
parameters, locks the dossier, refuses a transition that is not possible now (409) or not this
user's to make (403), runs the handler (the state machine plus the audit event, in the same
transaction) and queues side effects after commit.
"""

from datetime import datetime, time

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.constants import StaffRole
from portal.memberships import memberships
from portal.models import User
from procedures.models import Agency

from . import hooks, services
from .constants import DossierStatus, EventKind
from .deadlines import classify, latest_extension_day, step_due
from .models import Dossier
from .permissions import acting_role

S = DossierStatus


class TransitionConflict(Exception):
    """The transition is not possible in the dossier's current state (HTTP 409)."""


# --- Parameters of each transition -------------------------------------------------------------

class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=gettext_lazy("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class SupplementForm(forms.Form):
    items = forms.CharField(
        label=gettext_lazy("What is missing, and why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One line per document: what is missing — why it is needed. List everything at once."),
    )
    message = forms.CharField(label=gettext_lazy("Message to the applicant"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def clean_items(self):
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            what, sep, why = line.partition("—") if "—" in line else line.partition(" - ")
            if not sep or not why.strip():
                raise ValidationError(_("Write each line as: what is missing — why it is needed."))
            items.append({"what": what.strip(), "why": why.strip()})
        if not items:
            raise ValidationError(_("List at least one missing document."))
        return items


class AssignForm(forms.Form):
    specialist = forms.ModelChoiceField(label=gettext_lazy("Specialist"), queryset=User.objects.none())
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier is not None:
            self.fields["specialist"].queryset = User.objects.filter(
                memberships__agency_id=dossier.competent_agency_id, memberships__role=StaffRole.SPECIALIST,
                is_active=True,
            ).distinct().order_by("full_name")
            self.fields["specialist"].label_from_instance = lambda user: user.full_name


class ConsultForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Agency to consult"), queryset=Agency.objects.filter(is_active=True))
    working_days = forms.IntegerField(label=gettext_lazy("Answer within (working days)"), min_value=1, max_value=30,
                                      initial=3)
    question = forms.CharField(label=gettext_lazy("Question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ConsultationAnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Opinion received"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class PaymentRequestForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount (đồng)"), min_value=0, max_value=10**12)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)


class ReturnForm(forms.Form):
    collected_by = forms.CharField(label=gettext_lazy("Collected by (name)"), required=False, max_length=150,
                                   help_text=gettext_lazy("Leave empty when the result is sent online or by post."))


class ExtendForm(forms.Form):
    new_due_date = forms.DateField(label=gettext_lazy("New appointment date"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(label=gettext_lazy("Reason for the delay"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class NoParamsForm(forms.Form):
    pass


FORMS = {
    "receive": NoParamsForm, "refuse_reception": ReasonsForm, "request_supplement": SupplementForm,
    "assign": AssignForm, "consult": ConsultForm, "record_consultation": ConsultationAnswerForm,
    "submit_for_approval": CommentForm, "send_back": CommentForm, "approve": CommentForm, "refuse": ReasonsForm,
    "request_payment": PaymentRequestForm, "confirm_payment": CommentForm, "issue_result": CommentForm,
    "return_result": ReturnForm, "stop": ReasonsForm, "extend": ExtendForm, "confirm_withdrawal": NoParamsForm,
}

LABELS = {
    "receive": gettext_lazy("Receive (Form 01)"), "refuse_reception": gettext_lazy("Refuse reception (Form 03)"),
    "request_supplement": gettext_lazy("Request a supplement (Form 02)"),
    "assign": gettext_lazy("Assign to a specialist"), "consult": gettext_lazy("Consult another agency"),
    "record_consultation": gettext_lazy("Record the agency's opinion"),
    "submit_for_approval": gettext_lazy("Submit for approval"), "send_back": gettext_lazy("Send back for rework"),
    "approve": gettext_lazy("Approve"), "refuse": gettext_lazy("Refuse after appraisal (Form 03)"),
    "request_payment": gettext_lazy("Request the fee"), "confirm_payment": gettext_lazy("Confirm the payment"),
    "issue_result": gettext_lazy("Issue and sign the result"), "return_result": gettext_lazy("Return the result"),
    "stop": gettext_lazy("Stop processing"), "extend": gettext_lazy("Apologize and reschedule (Form 04)"),
    "confirm_withdrawal": gettext_lazy("Confirm the withdrawal"),
}


def action_form(name: str, dossier: Dossier, data=None) -> forms.Form:
    """The parameters form of one transition; ids are prefixed so several forms share a page."""
    form_class = FORMS[name]
    options = {"auto_id": f"id_{name}-%s"}
    return form_class(data, dossier=dossier, **options) if form_class is AssignForm else form_class(data, **options)


# --- The dispatcher --------------------------------------------------------------------------

def dossier_act(*, dossier: Dossier, name: str, actor, data: dict, expected_status: str | None = None) -> Dossier:
    """Make one officer transition on a dossier; see the module docstring."""
    if name not in FORMS:
        raise TransitionConflict(_("Unknown action “%(name)s”.") % {"name": name})
    form = action_form(name, dossier, data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
        if expected_status and locked.status != expected_status:
            raise TransitionConflict(_changed_message(locked))
        if name not in {t.name for t in locked.get_available_status_transitions()}:
            if name == "extend" and locked.extended_at is not None:
                raise TransitionConflict(_("The appointment date of a dossier can be rescheduled only once."))
            raise TransitionConflict(
                _("“%(action)s” is not possible while the dossier is “%(status)s”.")
                % {"action": LABELS[name], "status": locked.get_status_display()}
            )
        role = acting_role(actor, locked, name)
        if role is None:
            raise PermissionDenied(_("Your role does not allow “%(action)s” on this dossier.") % {"action": LABELS[name]})
        HANDLERS[name](locked, actor, role, **form.cleaned_data)
        return locked


def dossier_act_as_system(*, dossier: Dossier, name: str, data: dict | None = None) -> Dossier | None:
    """A transition the system makes itself (a payment confirmed by the gateway): no role check,
    the same lock, handler and audit event; None when it is not possible in the current state."""
    form = action_form(name, dossier, data or {})
    if not form.is_valid():
        raise ValidationError(form.errors)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
        if name not in {t.name for t in locked.get_available_status_transitions()}:
            return None
        HANDLERS[name](locked, None, "system", **form.cleaned_data)
        return locked


def _changed_message(dossier: Dossier) -> str:
    last = dossier.events.select_related("actor").order_by("-at", "-pk").first()
    who = last.actor.full_name if last and last.actor else _("someone else")
    return _("This dossier was just changed by %(who)s at %(time)s: it is now “%(status)s”. Reload to see it.") % {
        "who": who, "time": timezone.localtime(last.at).strftime("%H:%M") if last else "", "status": dossier.get_status_display(),
    }


# --- Handlers: the state change, the step's deadline and the event -------------------------------

def _next_step(dossier: Dossier, role: str, actor, *, kind, from_status, role_of_actor, comment="", data=None,
               public=True):
    """Close the current step (recording whether it was on time) and open the next one for `role`."""
    now = timezone.now()
    step_data = {"step_due_at": dossier.step_due_at.isoformat() if dossier.step_due_at else None,
                 "step_timeliness": classify(ended_at=now, due_at=dossier.step_due_at) if dossier.step_due_at else None}
    template = next((s for s in dossier.procedure_version.steps.all() if s.role == role), None) if role else None
    dossier.step_started_at = now if role else None
    dossier.step_due_at = (step_due(now, template.working_days, settings.OFFICE_CLOSES_AT) if template
                           else (dossier.due_at if role else None))
    dossier.save()
    return services.record_event(dossier, kind=kind, actor=actor, from_status=from_status, role=role_of_actor,
                                 comment=comment, public=public, data={**step_data, **(data or {})})


def _end(dossier: Dossier):
    dossier.finished_at = timezone.now()
    dossier.timeliness = classify(ended_at=dossier.finished_at, due_at=dossier.due_at,
                                  supplement_requests=dossier.supplement_requests.count())


def receive(dossier, actor, role):
    desk = None
    if dossier.cross_boundary:
        # Received at whichever desk of the province the officer sits: that desk returns the result.
        desks = [agency for agency, held in memberships(actor) if held == StaffRole.RECEPTIONIST]
        if desks and dossier.receiving_agency_id not in desks:
            desk = desks[0]
    services.dossier_receive(dossier=dossier, actor=actor, role=role, desk_agency_id=desk)


def refuse_reception(dossier, actor, role, reasons):
    dossier.refuse_reception()
    _end(dossier)
    _next_step(dossier, None, actor, kind=EventKind.RECEPTION_REFUSED, from_status=S.SUBMITTED,
                       role_of_actor=role, comment=reasons)


def request_supplement(dossier, actor, role, items, message):
    services.dossier_request_supplement(dossier=dossier, actor=actor, items=items, message=message, role=role)


def assign(dossier, actor, role, specialist, comment):
    from_status = dossier.status
    dossier.assign()
    dossier.assigned_to = specialist
    _next_step(dossier, StaffRole.SPECIALIST, actor, kind=EventKind.ASSIGNED, from_status=from_status,
                       role_of_actor=role, comment=comment, data={"specialist": specialist.full_name}, public=False)


def consult(dossier, actor, role, agency, working_days, question):
    dossier.consult()
    dossier.consulted_agency = agency
    now = timezone.now()
    due = step_due(now, working_days, settings.OFFICE_CLOSES_AT)
    services.record_event(dossier, kind=EventKind.CONSULTATION_SENT, actor=actor, from_status=S.IN_PROCESSING,
                          role=role, comment=question, public=False,
                          data={"agency": agency.code, "consultation_due_at": due.isoformat()})
    dossier.save()


def record_consultation(dossier, actor, role, answer):
    dossier.record_consultation()
    agency = dossier.consulted_agency
    dossier.consulted_agency = None
    dossier.save()
    services.record_event(dossier, kind=EventKind.CONSULTATION_ANSWERED, actor=actor, from_status=S.CONSULTING,
                          role=role, comment=answer, public=False, data={"agency": agency.code if agency else None})


def submit_for_approval(dossier, actor, role, comment):
    dossier.submit_for_approval()
    _next_step(dossier, StaffRole.LEADER, actor, kind=EventKind.SUBMITTED_FOR_APPROVAL, from_status=S.IN_PROCESSING,
               role_of_actor=role, comment=comment, public=False)


def send_back(dossier, actor, role, comment):
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what must be reworked.")]})
    dossier.send_back()
    _next_step(dossier, StaffRole.SPECIALIST, actor, kind=EventKind.SENT_BACK, from_status=S.AWAITING_APPROVAL,
               role_of_actor=role, comment=comment, public=False)


def approve(dossier, actor, role, comment):
    dossier.approve()
    _next_step(dossier, StaffRole.LEADER, actor, kind=EventKind.APPROVED, from_status=S.AWAITING_APPROVAL,
               role_of_actor=role, comment=comment)


def refuse(dossier, actor, role, reasons):
    from_status = dossier.status
    dossier.refuse()
    _end(dossier)
    _next_step(dossier, None, actor, kind=EventKind.REFUSED, from_status=from_status, role_of_actor=role,
                       comment=reasons)


def request_payment(dossier, actor, role, amount, comment):
    from_status = dossier.status
    dossier.request_payment()
    dossier.fee_due = amount
    _next_step(dossier, StaffRole.RECEPTIONIST, actor, kind=EventKind.PAYMENT_REQUESTED,
                       from_status=from_status, role_of_actor=role, comment=comment, data={"amount": amount})
    hooks.fee_requested(dossier=dossier, actor=actor)  # payments opened for the old amount stop here


def confirm_payment(dossier, actor, role, comment):
    if actor is not None and dossier.fee_due > 0 and not dossier.payments.filter(
            status="paid", amount=dossier.fee_due, paid_at__gte=dossier.step_started_at).exists():
        # An officer's word alone settles no fee: the money is recorded first, which confirms.
        raise ValidationError(_("No payment of the amount due has been received since it was requested: record "
                                "the payment received at the desk instead."))
    dossier.confirm_payment()
    back_to = StaffRole.LEADER if dossier.status == S.APPROVED else StaffRole.SPECIALIST
    _next_step(dossier, back_to, actor, kind=EventKind.PAYMENT_CONFIRMED, from_status=S.AWAITING_PAYMENT,
               role_of_actor=role, comment=comment)


def issue_result(dossier, actor, role, comment):
    dossier.issue_result()
    _end(dossier)
    _next_step(dossier, StaffRole.RECEPTIONIST, actor, kind=EventKind.RESULT_ISSUED, from_status=S.APPROVED,
                       role_of_actor=role, comment=comment)


def return_result(dossier, actor, role, collected_by):
    dossier.return_result()
    dossier.returned_at = timezone.now()
    dossier.collected_by = collected_by
    _next_step(dossier, None, actor, kind=EventKind.RESULT_RETURNED, from_status=S.FINISHED,
                       role_of_actor=role, data={"collected_by": collected_by, "delivery": dossier.delivery})


def stop(dossier, actor, role, reasons):
    from_status = dossier.status
    dossier.stop()
    _end(dossier)
    _next_step(dossier, None, actor, kind=EventKind.STOPPED, from_status=from_status, role_of_actor=role,
                       comment=reasons)


def extend(dossier, actor, role, new_due_date, reasons):
    """Apologize and set a new appointment date (Form 04): once, and no later than the rule allows."""
    if dossier.extended_at is not None:
        raise ValidationError(_("The appointment date of a dossier can be rescheduled only once."))
    if dossier.due_at is None:
        raise ValidationError(_("This dossier has no appointment date yet."))
    last_day = latest_extension_day(dossier.due_at, settings.EXTENSION_NOTICE_WORKING_DAYS)
    if timezone.localdate() > last_day:
        raise ValidationError(
            _("The apology must be sent at least %(days)s working day(s) before the due date, i.e. by %(day)s.")
            % {"days": settings.EXTENSION_NOTICE_WORKING_DAYS, "day": last_day.strftime("%d/%m/%Y")}
        )
    new_due = timezone.make_aware(datetime.combine(new_due_date, time.fromisoformat(settings.OFFICE_CLOSES_AT)))
    if new_due <= dossier.due_at:
        raise ValidationError({"new_due_date": [_("The new date must be after the current due date.")]})
    status = dossier.status
    dossier.extend()
    dossier.original_due_at, dossier.due_at, dossier.extended_at = dossier.due_at, new_due, timezone.now()
    dossier.due_soon_notified_at = dossier.overdue_notified_at = None  # the new date gets its own warnings
    dossier.save()
    services.record_event(dossier, kind=EventKind.EXTENDED, actor=actor, from_status=status, role=role,
                                  comment=reasons, data={"new_due_at": new_due.isoformat(),
                                                         "original_due_at": dossier.original_due_at.isoformat()})


def confirm_withdrawal(dossier, actor, role):
    services.dossier_confirm_withdrawal(dossier=dossier, actor=actor, role=role)


HANDLERS = {
    "receive": receive, "refuse_reception": refuse_reception, "request_supplement": request_supplement,
    "assign": assign, "consult": consult, "record_consultation": record_consultation,
    "submit_for_approval": submit_for_approval, "send_back": send_back, "approve": approve, "refuse": refuse,
    "request_payment": request_payment, "confirm_payment": confirm_payment, "issue_result": issue_result,
    "return_result": return_result, "stop": stop, "extend": extend, "confirm_withdrawal": confirm_withdrawal,
}
