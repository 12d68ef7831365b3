"""Who may make which transition: a role at the agency the step belongs to.

Reception and return happen at the receiving agency's one-stop desk (any desk of the province
for a cross-boundary procedure that has not been received yet); appraisal and approval at the
competent agency; a consulted agency's specialists answer its consultation. Specialists act
only on dossiers assigned to them.
"""

from dataclasses import dataclass

from portal.constants import StaffRole
from portal.memberships import memberships

from .constants import DossierStatus

R, SP, L = StaffRole.RECEPTIONIST, StaffRole.SPECIALIST, StaffRole.LEADER
RECEIVING, COMPETENT, CONSULTED = "receiving", "competent", "consulted"


@dataclass(frozen=True)
class Rule:
    allowed: tuple[tuple[str, str], ...]  # (role, side of the dossier whose agency it must be at)
    assigned_only: bool = False  # a specialist must be the assigned one


RULES = {
    "receive": Rule(((R, RECEIVING),)),
    "refuse_reception": Rule(((R, RECEIVING),)),
    "request_supplement": Rule(((R, RECEIVING), (SP, COMPETENT)), assigned_only=True),
    "assign": Rule(((R, RECEIVING), (L, COMPETENT))),
    "consult": Rule(((SP, COMPETENT),), assigned_only=True),
    "record_consultation": Rule(((SP, CONSULTED), (SP, COMPETENT)), assigned_only=True),
    "submit_for_approval": Rule(((SP, COMPETENT),), assigned_only=True),
    "send_back": Rule(((L, COMPETENT),)),
    "approve": Rule(((L, COMPETENT),)),
    "refuse": Rule(((SP, COMPETENT), (L, COMPETENT)), assigned_only=True),
    "request_payment": Rule(((SP, COMPETENT),), assigned_only=True),
    "confirm_payment": Rule(((R, RECEIVING),)),
    "issue_result": Rule(((L, COMPETENT),)),
    "return_result": Rule(((R, RECEIVING),)),
    "stop": Rule(((L, COMPETENT),)),
    "extend": Rule(((L, COMPETENT), (R, RECEIVING))),
    "confirm_withdrawal": Rule(((R, RECEIVING),)),
}


def acting_role(user, dossier, name: str) -> str | None:
    """The role in which this user may make transition `name` on this dossier now, if any."""
    rule = RULES.get(name)
    if rule is None:
        return None
    held = memberships(user)
    for role, side in rule.allowed:
        if role == SP and rule.assigned_only and dossier.assigned_to_id != user.pk and side != CONSULTED:
            continue
        if role == SP and name == "refuse" and dossier.status != DossierStatus.IN_PROCESSING:
            continue  # once submitted for approval, refusing is the leader's decision
        if side == RECEIVING and dossier.status == DossierStatus.SUBMITTED and dossier.cross_boundary:
            if any(r == role for _, r in held):
                return role  # any desk of the province may receive a cross-boundary dossier
        agency_id = {RECEIVING: dossier.receiving_agency_id, COMPETENT: dossier.competent_agency_id,
                     CONSULTED: dossier.consulted_agency_id}[side]
        if agency_id is not None and (agency_id, role) in held:
            return role
    return None


def available_transitions(user, dossier) -> list[str]:
    """The officer transitions this user can make on this dossier in its current state."""
    possible = [t.name for t in dossier.get_available_status_transitions()]
    return [name for name in possible if acting_role(user, dossier, name)]
