"""Who may make which transition: a role at the agency the step belongs to.

Reception and return happen at the receiving agency's one-stop desk (any desk of the province
for a cross-boundary procedure that has not been received yet); appraisal and approval at the
competent agency; a consulted agency's specialists and leaders answer its consultation (in their
queue's "Asked for our opinion" view), never the competent agency for them. Specialists act
only on dossiers assigned to them. Each transition's `Rule` is in its entry in transitions.py;
what a person may do on a dossier now, all together, is `dossiers.actions.dossier_actions`.
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
    specialist_while: tuple[str, ...] = ()  # a specialist may act only in these states (empty: in any)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _side in self.allowed)

    def role_of(self, user, dossier) -> str | None:
        """The role in which this user may make the transition on this dossier now, if any."""
        held = memberships(user)
        for role, side in self.allowed:
            if role == SP and self.assigned_only and dossier.assigned_to_id != user.pk and side != CONSULTED:
                continue
            if role == SP and self.specialist_while and dossier.status not in self.specialist_while:
                continue
            if side == RECEIVING and dossier.status == DossierStatus.SUBMITTED and dossier.cross_boundary:
                if any(r == role for _, r in held):
                    return role  # any desk of the province may receive a cross-boundary dossier
            agency_id = {
                RECEIVING: dossier.receiving_agency_id,
                COMPETENT: dossier.competent_agency_id,
                CONSULTED: dossier.consulted_agency_id,
            }[side]
            if agency_id is not None and (agency_id, role) in held:
                return role
        return None


def is_receiving_desk(user, dossier) -> bool:
    """The one-stop desk of the dossier's receiving agency: it records fees paid at the counter."""
    return (dossier.receiving_agency_id, R) in memberships(user)


def desk_receiving_at(user, dossier) -> int | None:
    """The desk at which this officer receives a cross-boundary dossier, when it is not the one the
    dossier names (that desk then returns the result); None otherwise."""
    if not dossier.cross_boundary:
        return None
    desks = sorted(agency for agency, role in memberships(user) if role == R)
    return desks[0] if desks and dossier.receiving_agency_id not in desks else None
