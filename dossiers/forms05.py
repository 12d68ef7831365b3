"""Form 05, the processing control sheet: every hand-off read back from the audit events."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from .constants import EventKind, Timeliness

# Events that hand the dossier from one person or step to the next.
HANDOFF_KINDS = {
    EventKind.SUBMITTED,
    EventKind.RECEIVED,
    EventKind.RECEPTION_REFUSED,
    EventKind.SUPPLEMENT_REQUESTED,
    EventKind.RESUBMITTED,
    EventKind.ASSIGNED,
    EventKind.CONSULTATION_SENT,
    EventKind.CONSULTATION_ANSWERED,
    EventKind.SUBMITTED_FOR_APPROVAL,
    EventKind.SENT_BACK,
    EventKind.APPROVED,
    EventKind.REFUSED,
    EventKind.PAYMENT_REQUESTED,
    EventKind.PAYMENT_CONFIRMED,
    EventKind.RESULT_ISSUED,
    EventKind.RESULT_RETURNED,
    EventKind.STOPPED,
    EventKind.EXTENDED,
    EventKind.WITHDRAWAL_CONFIRMED,
}


@dataclass
class Handoff:
    at: datetime
    what: str
    by: str
    role: str
    step_due_at: datetime | None
    timeliness: str  # Timeliness value or ""
    comment: str

    @property
    def timeliness_label(self) -> str:
        return Timeliness(self.timeliness).label if self.timeliness else ""


def handoffs(events) -> list[Handoff]:
    rows = []
    for event in events:
        if event.kind not in HANDOFF_KINDS:
            continue
        due = event.data.get("step_due_at")
        rows.append(
            Handoff(
                at=event.at,
                what=event.get_kind_display(),
                by=event.actor.full_name if event.actor else "",
                role=event.role,
                step_due_at=parse_datetime(due) if due else None,
                timeliness=event.data.get("step_timeliness") or "",
                comment=event.comment,
            )
        )
    return rows
