"""What a person may do on a dossier now, and the one way an officer transition is made.

`dossier_actions` is the one answer to "what may this person do now": the citizen's and the
officer's pages, the API and bulk assignment read it. `dossier_act` is what they call to make
an officer transition (dossiers/transitions.py): it validates the parameters, locks the
dossier, refuses a transition that is not possible now (DossierConflict: 409) or not this
user's to make (PermissionDenied: 403), runs the transition's service (the state machine plus
the audit event, in the same transaction; side effects after commit) and returns the dossier
as it now is.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.memberships import memberships

from . import services
from .constants import PAYABLE, WITHDRAWABLE, Channel, DossierStatus
from .exceptions import DossierConflict
from .models import Dossier
from .permissions import is_receiving_desk
from .transitions import TRANSITIONS, TransitionForm

S = DossierStatus
TransitionConflict = DossierConflict  # the name callers of dossier_act knew it by


# --- What may happen now ---------------------------------------------------------------------


@dataclass(frozen=True)
class DossierActions:
    """What one person may do on one dossier now."""

    applicant: tuple[str, ...] = ()  # update, attach, submit (a draft); withdraw, supplement_response, rate, pay
    transitions: tuple[str, ...] = ()  # the officer transitions this person may make (dossiers/transitions.py)
    record_payment: bool = False  # the desk records a fee paid at the counter


def dossier_actions(*, dossier: Dossier, user) -> DossierActions:
    """Everything this person may do on this dossier now, as its applicant and as an officer."""
    applicant = ()
    if getattr(user, "is_authenticated", False):
        if dossier.status == S.DRAFT:
            if user.pk in (dossier.applicant_id, dossier.filed_by_id):
                applicant = ("update", "attach", "submit")
        elif dossier.applicant_id == user.pk:
            applicant = tuple(
                name
                for name, allowed in (
                    ("withdraw", dossier.status in WITHDRAWABLE),
                    ("supplement_response", dossier.status == S.SUPPLEMENT_REQUESTED),
                    ("rate", dossier.status == S.RETURNED),
                    ("pay", _fee_unpaid(dossier)),
                )
                if allowed
            )
    if not memberships(user):
        return DossierActions(applicant=applicant)
    return DossierActions(
        applicant=applicant,
        transitions=tuple(available_transitions(user, dossier)),
        record_payment=is_receiving_desk(user, dossier) and _fee_unpaid(dossier),
    )


def _fee_unpaid(dossier: Dossier) -> bool:
    """A fee is owed, can be paid in this state, and has not been paid yet."""
    return (
        dossier.fee_due > 0 and dossier.status in PAYABLE and not dossier.payments.filter(status="paid").exists()
    )  # payments' PaymentStatus.PAID


def acting_role(user, dossier: Dossier, name: str) -> str | None:
    """The role in which this user may make transition `name` on this dossier now, if any."""
    entry = TRANSITIONS.get(name)
    return entry.rule.role_of(user, dossier) if entry else None


def available_transitions(user, dossier: Dossier) -> list[str]:
    """The officer transitions this user can make on this dossier in its current state."""
    possible = [t.name for t in dossier.get_available_status_transitions()]
    return [name for name in possible if acting_role(user, dossier, name)]


def may_make_somewhere(user, name: str) -> bool:
    """Whether this user holds, at some agency, a role that may make transition `name` (menus, bulk forms)."""
    roles = TRANSITIONS[name].rule.roles
    return any(role in roles for _agency, role in memberships(user))


def action_form(name: str, dossier: Dossier, data=None, files=None) -> TransitionForm:
    """The parameters form of one transition, for this dossier."""
    return TRANSITIONS[name].form_for(dossier, data, files)


# --- Making a transition -----------------------------------------------------------------------


def dossier_act(
    *, dossier: Dossier, name: str, actor, data: dict, expected_status: str | None = None, files=None
) -> Dossier:
    """Make one officer transition on a dossier; see the module docstring."""
    entry = TRANSITIONS.get(name)
    if entry is None:
        raise DossierConflict(_("Unknown action “%(name)s”.") % {"name": name})
    form = entry.form_for(dossier, data, files)
    if not form.is_valid():
        raise ValidationError(form.errors)
    with transaction.atomic():
        locked = _lock(dossier)
        if expected_status and locked.status != expected_status:
            raise DossierConflict(_changed_message(locked))
        if name not in {t.name for t in locked.get_available_status_transitions()}:
            raise DossierConflict(_refusal(locked, entry))
        role = entry.rule.role_of(actor, locked)
        if role is None:
            raise PermissionDenied(
                _("Your role does not allow “%(action)s” on this dossier.") % {"action": entry.label}
            )
        entry.service(dossier=locked, actor=actor, role=role, **form.cleaned_data)
        return locked


def dossier_act_as_system(*, dossier: Dossier, name: str, data: dict | None = None) -> Dossier | None:
    """A transition the system makes itself (a payment confirmed by the gateway): no role check,
    the same lock, service and audit event; None when it is not possible in the current state."""
    entry = TRANSITIONS[name]
    form = entry.form_for(dossier, data or {})
    if not form.is_valid():
        raise ValidationError(form.errors)
    with transaction.atomic():
        locked = _lock(dossier)
        if name not in {t.name for t in locked.get_available_status_transitions()}:
            return None
        entry.service(dossier=locked, actor=None, role="system", **form.cleaned_data)
        return locked


@transaction.atomic
def dossier_counter_submit(*, dossier: Dossier, actor) -> Dossier:
    """Submit a draft; one the desk filed at the counter for a walk-in is received at once, so the
    applicant leaves with Form 01. Submitting twice is harmless."""
    was_draft = dossier.status == S.DRAFT
    dossier = services.dossier_submit(dossier=dossier, actor=actor)
    if was_draft and dossier.channel == Channel.COUNTER and dossier.filed_by_id == actor.pk:
        # The desk has the walk-in's papers in hand: what it attached is what it received.
        attached = dossier.attachments.filter(requirement__isnull=False).values_list("requirement_id", flat=True)
        dossier = dossier_act(dossier=dossier, name="receive", actor=actor, data={"documents": list(set(attached))})
    return dossier


def _lock(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)


def _refusal(dossier: Dossier, entry) -> str:
    """Why a transition is not possible now: the words of the state machine's guard that refused
    it (workflow.py `refusing`), else that the state does not allow it."""
    for candidate in dossier.get_all_status_transitions():
        if candidate.name == entry.name and candidate.source in (dossier.status, "*", "+"):
            for condition in candidate.conditions:
                if not condition(dossier) and getattr(condition, "refusal", None):
                    return str(condition.refusal)
    return _("“%(action)s” is not possible while the dossier is “%(status)s”.") % {
        "action": entry.label,
        "status": dossier.get_status_display(),
    }


def _changed_message(dossier: Dossier) -> str:
    last = dossier.events.select_related("actor").order_by("-at", "-pk").first()
    who = last.actor.full_name if last and last.actor else _("someone else")
    return _("This dossier was just changed by %(who)s at %(time)s: it is now “%(status)s”. Reload to see it.") % {
        "who": who,
        "time": timezone.localtime(last.at).strftime("%H:%M") if last else "",
        "status": dossier.get_status_display(),
    }
