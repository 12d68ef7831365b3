"""The officer transitions, one entry each: name, label, parameters form, who may make it, service.

The officer pages, the API (GET/POST …/transitions/) and bulk assignment all read this table
through dossiers.actions (`dossier_act`, `dossier_actions`). The state change itself is the
django-fsm method of the same name (workflow.py); a test keeps the two lists equal.

To add a transition: its `@transition` method in workflow.py, its service
`dossier_<name>(*, dossier, actor, role, **parameters)` in services.py (state change, save with
update_fields, audit event, return the dossier), and one `Transition(...)` below with a form
whose fields are the service's parameters and say in `api` how an API client sends each.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.collation import vietnamese
from portal.constants import StaffRole
from portal.models import User
from procedures.models import Agency, DocumentRequirement

from . import services
from .constants import DossierStatus
from .models import Dossier
from .permissions import COMPETENT, CONSULTED, RECEIVING, Rule

R, SP, L = StaffRole.RECEPTIONIST, StaffRole.SPECIALIST, StaffRole.LEADER

# What a parameter is, for an API client: GET …/transitions/ lists it with this `type`.
STRING, TEXT, INTEGER, DATE, CHOICE = "string", "text", "integer", "date", "choice"
FILE = "file"  # sent as multipart/form-data


@dataclass(frozen=True)
class Param:
    type: str  # STRING (one line), TEXT (several lines), INTEGER, DATE (YYYY-MM-DD) or CHOICE (an id)
    help_text: str | Promise = ""  # for API clients, instead of the form's
    list_choices: bool = False  # list the ids and names to choose from


# --- Parameters of each transition -------------------------------------------------------------


class TransitionForm(forms.Form):
    """The parameters of a transition, built for one dossier (choices may depend on it)."""

    api: dict[str, Param] = {}  # one per field

    def __init__(self, data=None, files=None, *, dossier: Dossier | None = None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.dossier = dossier


class NoParamsForm(TransitionForm):
    pass


class ReasonsForm(TransitionForm):
    reasons = forms.CharField(label=gettext_lazy("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    api = {"reasons": Param(TEXT)}


class CommentForm(TransitionForm):
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    api = {"comment": Param(TEXT)}


class AppraisalForm(CommentForm):
    report = forms.FileField(
        label=gettext_lazy("Appraisal report (PDF, optional)"),
        required=False,
        help_text=gettext_lazy(
            "The signed appraisal report or submission (tờ trình) the leader reads before approving."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    api = {"comment": Param(TEXT), "report": Param(FILE)}


class ReceiveForm(TransitionForm):
    """The reception checklist: the desk ticks each document of the procedure it has checked."""

    documents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Documents checked and received"),
        queryset=DocumentRequirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Tick each document once you have checked it (originals and copies as listed). "
            "If a required document is missing, request a supplement instead."
        ),
    )

    api = {
        "documents": Param(
            CHOICE,
            help_text=gettext_lazy("A list of the ids of the documents checked and received."),
            list_choices=True,
        )
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None:
            field = self.fields["documents"]
            field.queryset = self.dossier.procedure_version.documents.order_by("position", "pk")
            field.label_from_instance = services.checklist_label


class SupplementForm(TransitionForm):
    items = forms.CharField(
        label=gettext_lazy("What is missing, and why"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One line per document: what is missing — why it is needed. List everything at once."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the applicant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    api = {"items": Param(TEXT), "message": Param(TEXT)}

    def __init__(self, *args, proposed_from=None, **kwargs):
        """At reception the required documents not ticked (`proposed_from`: the ticked ids; before
        any tick, those with no file) are proposed as the items to ask for."""
        super().__init__(*args, **kwargs)
        if self.dossier is not None and self.dossier.status == DossierStatus.SUBMITTED and not self.is_bound:
            self.fields["items"].initial = services.proposed_supplement_items(self.dossier, ticked=proposed_from)

    def clean_items(self):
        by_name = (
            {r.name.strip().casefold(): r.pk for r in self.dossier.procedure_version.documents.all()}
            if self.dossier is not None
            else {}
        )
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            what, sep, why = line.partition("—") if "—" in line else line.partition(" - ")
            if not sep or not why.strip():
                raise ValidationError(_("Write each line as: what is missing — why it is needed."))
            item = {"what": what.strip(), "why": why.strip()}
            if requirement := by_name.get(item["what"].casefold()):  # its answer files go to that document
                item["requirement"] = requirement
            items.append(item)
        if not items:
            raise ValidationError(_("List at least one missing document."))
        return items


class AssignForm(TransitionForm):
    specialist = forms.ModelChoiceField(
        label=gettext_lazy("Specialist"), queryset=User.objects.none(), empty_label=gettext_lazy("Choose a specialist")
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)

    api = {"specialist": Param(CHOICE, list_choices=True), "comment": Param(STRING)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None:  # the competent agency's specialists
            self.fields["specialist"].queryset = (
                User.objects.filter(
                    memberships__agency_id=self.dossier.competent_agency_id,
                    memberships__role=StaffRole.SPECIALIST,
                    is_active=True,
                )
                .distinct()
                .order_by(vietnamese("full_name"), "pk")
            )
            self.fields["specialist"].label_from_instance = lambda user: user.full_name


class ConsultForm(TransitionForm):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency to consult"), queryset=Agency.objects.filter(is_active=True)
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Answer within (working days)"), min_value=1, max_value=30, initial=3
    )
    question = forms.CharField(
        label=gettext_lazy("Question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    api = {
        "agency": Param(CHOICE, help_text=gettext_lazy("The agency's id (see /api/v1/agencies/).")),
        "working_days": Param(INTEGER),
        "question": Param(TEXT),
    }


class ConsultationAnswerForm(TransitionForm):
    answer = forms.CharField(
        label=gettext_lazy("Our agency's opinion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    answer_file = forms.FileField(
        label=gettext_lazy("Written answer (optional)"),
        required=False,
        help_text=gettext_lazy("PDF, JPEG, PNG, Word or Excel."),
    )

    api = {"answer": Param(TEXT), "answer_file": Param(FILE)}


class PaymentRequestForm(TransitionForm):
    amount = forms.IntegerField(label=gettext_lazy("Amount (đồng)"), min_value=0, max_value=10**12)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)

    api = {"amount": Param(INTEGER), "comment": Param(STRING)}


class ReturnForm(TransitionForm):
    collected_by = forms.CharField(
        label=gettext_lazy("Collected by (name)"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Leave empty when the result is sent online or by post."),
    )

    api = {"collected_by": Param(STRING)}


class ExtendForm(TransitionForm):
    new_due_date = forms.DateField(
        label=gettext_lazy("New appointment date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reasons = forms.CharField(
        label=gettext_lazy("Reason for the delay"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    api = {"new_due_date": Param(DATE), "reasons": Param(TEXT)}


# --- The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str  # the workflow.py method, the URL's {name}
    label: Promise
    form: type[TransitionForm]
    rule: Rule  # who may make it (permissions.py)
    service: Callable[..., object]  # services.dossier_<name>(*, dossier, actor, role, **parameters)

    def form_for(self, dossier: Dossier, data=None, files=None) -> TransitionForm:
        """The parameters form; ids are prefixed so several forms share a page."""
        return self.form(data, files, dossier=dossier, auto_id=f"id_{self.name}-%s")

    def parameters(self, dossier: Dossier) -> list[dict]:
        """The parameters as an API client sends them (GET …/transitions/)."""
        form = self.form_for(dossier)
        found = []
        for name, field in form.fields.items():
            param = form.api[name]
            parameter = {
                "name": name,
                "label": str(field.label),
                "type": param.type,
                "required": field.required,
                "help_text": str(param.help_text or field.help_text or ""),
            }
            if param.list_choices:
                parameter["choices"] = [
                    {"value": obj.pk, "label": field.label_from_instance(obj)} for obj in field.queryset
                ]
            found.append(parameter)
        return found


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [  # in the order the API documents them
        Transition(
            "receive",
            label=gettext_lazy("Receive (Form 01)"),
            form=ReceiveForm,
            rule=Rule(((R, RECEIVING),)),
            service=services.dossier_receive,
        ),
        Transition(
            "refuse_reception",
            label=gettext_lazy("Refuse reception (Form 03)"),
            form=ReasonsForm,
            rule=Rule(((R, RECEIVING),)),
            service=services.dossier_refuse_reception,
        ),
        Transition(
            "request_supplement",
            label=gettext_lazy("Request a supplement (Form 02)"),
            form=SupplementForm,
            rule=Rule(((R, RECEIVING), (SP, COMPETENT)), assigned_only=True),
            service=services.dossier_request_supplement,
        ),
        Transition(
            "assign",
            label=gettext_lazy("Assign to a specialist"),
            form=AssignForm,
            rule=Rule(((R, RECEIVING), (L, COMPETENT))),
            service=services.dossier_assign,
        ),
        Transition(
            "consult",
            label=gettext_lazy("Consult another agency"),
            form=ConsultForm,
            rule=Rule(((SP, COMPETENT),), assigned_only=True),
            service=services.dossier_consult,
        ),
        Transition(
            "record_consultation",
            label=gettext_lazy("Give our agency's opinion"),
            form=ConsultationAnswerForm,
            # The consulted agency answers in its own queue; the competent agency no longer types it.
            rule=Rule(((SP, CONSULTED), (L, CONSULTED))),
            service=services.dossier_record_consultation,
        ),
        Transition(
            "submit_for_approval",
            label=gettext_lazy("Submit for approval"),
            form=AppraisalForm,
            rule=Rule(((SP, COMPETENT),), assigned_only=True),
            service=services.dossier_submit_for_approval,
        ),
        Transition(
            "send_back",
            label=gettext_lazy("Send back for rework"),
            form=CommentForm,
            rule=Rule(((L, COMPETENT),)),
            service=services.dossier_send_back,
        ),
        Transition(
            "approve",
            label=gettext_lazy("Approve"),
            form=CommentForm,
            rule=Rule(((L, COMPETENT),)),
            service=services.dossier_approve,
        ),
        # Once submitted for approval, refusing is the leader's decision.
        Transition(
            "refuse",
            label=gettext_lazy("Refuse after appraisal (Form 03)"),
            form=ReasonsForm,
            rule=Rule(
                ((SP, COMPETENT), (L, COMPETENT)),
                assigned_only=True,
                specialist_while=(DossierStatus.IN_PROCESSING, DossierStatus.SUPPLEMENT_REQUESTED),
            ),
            service=services.dossier_refuse,
        ),
        Transition(
            "request_payment",
            label=gettext_lazy("Request the fee"),
            form=PaymentRequestForm,
            rule=Rule(((SP, COMPETENT),), assigned_only=True),
            service=services.dossier_request_payment,
        ),
        Transition(
            "confirm_payment",
            label=gettext_lazy("Confirm the payment"),
            form=CommentForm,
            rule=Rule(((R, RECEIVING),)),
            service=services.dossier_confirm_payment,
        ),
        Transition(
            "issue_result",
            label=gettext_lazy("Issue and sign the result"),
            form=CommentForm,
            rule=Rule(((L, COMPETENT),)),
            service=services.dossier_issue_result,
        ),
        Transition(
            "return_result",
            label=gettext_lazy("Return the result"),
            form=ReturnForm,
            rule=Rule(((R, RECEIVING),)),
            service=services.dossier_return_result,
        ),
        Transition(
            "stop", gettext_lazy("Stop processing"), ReasonsForm, Rule(((L, COMPETENT),)), services.dossier_stop
        ),
        Transition(
            "extend",
            label=gettext_lazy("Apologize and reschedule (Form 04)"),
            form=ExtendForm,
            rule=Rule(((L, COMPETENT), (R, RECEIVING))),
            service=services.dossier_extend,
        ),
        Transition(
            "confirm_withdrawal",
            label=gettext_lazy("Confirm the withdrawal"),
            form=NoParamsForm,
            rule=Rule(((R, RECEIVING),)),
            service=services.dossier_confirm_withdrawal,
        ),
    ]
}

# The state machine's other transitions are the applicant's, made by their own use cases
# (services.dossier_submit, dossier_resubmit, dossier_request_withdrawal), never by dossier_act.
APPLICANT_TRANSITIONS = frozenset({"submit", "resubmit", "request_withdrawal"})
