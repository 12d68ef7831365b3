"""Retention and destruction: listing dossiers whose retention ended, the leader's decisions,
and the destruction itself.

Approval hands the case to the outbox (topic "retention.destroy"): after commit a worker runs
`destruction_execute`, which deletes the files and anonymises the rows in one transaction with
the DestructionRecord and the dossier's audit event; the files go from storage once that commits.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.services import package_destroy
from dossiers.constants import EventKind
from dossiers.erasure import ANONYMISED, dossier_erase
from dossiers.models import Dossier, DossierEvent, private_storage
from payments.models import Receipt
from portal.constants import StaffRole
from portal.memberships import memberships
from portal.models import Notification
from portal.outbox import outbox_write
from postal.models import SandboxOrder, Shipment
from procedures.models import ProcedureVersion

from .constants import APPROVABLE, CLOSED, HOLDABLE, POSTPONABLE, CaseState
from .models import DestructionCase, DestructionRecord

logger = logging.getLogger("retention")
REASON_MAX = 2000


class DestructionRefused(ValidationError):
    """A decision or a destruction that may not happen now; the message says why."""


# --- Dates ------------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _ended_expression():
    return Coalesce("returned_at", "finished_at")


def dossier_ended_on(dossier: Dossier) -> date | None:
    """The day the dossier was closed (result returned, refused, stopped, withdrawn), or None."""
    if dossier.status not in CLOSED:
        return None
    moment = dossier.returned_at or dossier.finished_at
    return timezone.localdate(moment) if moment else None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Listing ----------------------------------------------------------------------------------


def retention_list_due(*, today: date | None = None) -> int:
    """Put every closed dossier whose retention has ended on its competent agency's list (once:
    a dossier already listed, postponed, on hold or destroyed is not listed again), and bring back
    the postponed ones whose date has come. Returns how many were newly listed."""
    today = today or timezone.localdate()
    default = settings.RETENTION_DEFAULT_YEARS
    years = set(
        ProcedureVersion.objects.filter(retention_permanent=False).values_list("retention_years", flat=True).distinct()
    )
    years = {default if y is None else y for y in years}
    listed = 0
    for count in sorted(years):
        cutoff = add_years(today, -count)  # ended on or before this day: retention is over
        versions = Q(procedure_version__retention_years=count)
        if count == default:
            versions |= Q(procedure_version__retention_years__isnull=True)
        due = (
            Dossier.objects.filter(versions, procedure_version__retention_permanent=False, status__in=CLOSED)
            .filter(destruction_case__isnull=True)
            .annotate(ended=_ended_expression())
            .filter(ended__lt=_start_of(cutoff + timedelta(days=1)))
            .values_list("pk", "competent_agency_id", "ended")
        )
        cases = []
        for pk, agency_id, ended in due.iterator(chunk_size=2000):
            ended_on = timezone.localdate(ended)
            cases.append(
                DestructionCase(
                    dossier_id=pk,
                    agency_id=agency_id,
                    ended_on=ended_on,
                    retention_years=count,
                    retention_ends_on=add_years(ended_on, count),
                )
            )
        # ignore_conflicts: a run racing another one lists nothing twice (one case per dossier).
        listed += len(DestructionCase.objects.bulk_create(cases, batch_size=1000, ignore_conflicts=True))
    DestructionCase.objects.filter(state=CaseState.POSTPONED, postponed_until__lte=today).update(state=CaseState.LISTED)
    return listed


# --- Who decides ------------------------------------------------------------------------------


def leader_agency_ids(user) -> set[int]:
    """The agencies where the user is a leader: their destruction lists."""
    return {agency_id for agency_id, role in memberships(user) if role == StaffRole.LEADER}


def _lock(case: DestructionCase, actor) -> DestructionCase:
    locked = DestructionCase.objects.select_for_update().select_related("dossier").get(pk=case.pk)
    if actor is not None and locked.agency_id not in leader_agency_ids(actor):
        raise PermissionDenied(_("Only a leader of the agency decides on its destruction list."))
    return locked


def _decide(case: DestructionCase, *, actor, action: str, state: str, reason: str = "", until=None):
    now = timezone.now()
    case.state, case.decided_by, case.decided_at = state, actor, now
    case.reason = reason
    case.postponed_until = until
    case.history = [
        *case.history,
        {
            "action": action,
            "by": actor.pk,
            "by_name": actor.full_name,
            "at": now.isoformat(),
            "reason": reason,
            "until": until.isoformat() if until else None,
        },
    ]
    case.save(update_fields=["state", "decided_by", "decided_at", "reason", "postponed_until", "history"])
    logger.info("destruction case %s (%s): %s by user=%s", case.pk, case.dossier.code, action, actor.pk)
    return case


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DestructionRefused(_("Give the reason."))
    if len(reason) > REASON_MAX:
        raise DestructionRefused(_("The reason is longer than %(max)s characters.") % {"max": REASON_MAX})
    return reason


def _refuse_unless_due(case: DestructionCase, today: date) -> None:
    """A dossier is destroyed only when it is closed, its retention has ended and it is not kept
    permanently (the version may have changed nothing, but the dossier may have been reopened)."""
    dossier = case.dossier
    if dossier.status not in CLOSED or dossier_ended_on(dossier) is None:
        raise DestructionRefused(_("Dossier %(code)s has not ended.") % {"code": dossier.code})
    if dossier.procedure_version.retention_permanent:
        raise DestructionRefused(_("Dossier %(code)s is kept permanently.") % {"code": dossier.code})
    if case.retention_ends_on > today:
        raise DestructionRefused(
            _("The retention of dossier %(code)s ends on %(day)s: it cannot be destroyed yet.")
            % {"code": dossier.code, "day": case.retention_ends_on.strftime("%d/%m/%Y")}
        )


# --- Decisions --------------------------------------------------------------------------------


@transaction.atomic
def destruction_approve(*, case: DestructionCase, actor, today: date | None = None) -> DestructionCase:
    """A leader approves the destruction; it runs after commit (outbox "retention.destroy")."""
    case = _lock(case, actor)
    if case.state == CaseState.ON_HOLD:
        raise DestructionRefused(
            _("Dossier %(code)s is on legal hold: release the hold first.") % {"code": case.dossier.code}
        )
    if case.state not in APPROVABLE:
        raise DestructionRefused(
            _("Dossier %(code)s is %(state)s: it cannot be approved.")
            % {"code": case.dossier.code, "state": case.get_state_display()}
        )
    _refuse_unless_due(case, today or timezone.localdate())
    _decide(case, actor=actor, action="approve", state=CaseState.APPROVED)
    outbox_write("retention.destroy", {"case_id": case.pk})
    return case


def destruction_approve_many(*, cases, actor, today: date | None = None) -> tuple[int, list[str]]:
    """Bulk approval: each case on its own (one refusal stops no other); (approved, messages)."""
    approved, problems = 0, []
    for case in cases:
        try:
            destruction_approve(case=case, actor=actor, today=today)
            approved += 1
        except (DestructionRefused, PermissionDenied) as error:
            problems.append(" ".join(getattr(error, "messages", None) or [str(error)]))
    return approved, problems


@transaction.atomic
def destruction_postpone(*, case: DestructionCase, actor, until: date | None, reason: str) -> DestructionCase:
    """Keep the dossier until a later day (it comes back on the list then), with the reason."""
    case = _lock(case, actor)
    if case.state not in POSTPONABLE:
        raise DestructionRefused(
            _("Dossier %(code)s is %(state)s: it cannot be postponed.")
            % {"code": case.dossier.code, "state": case.get_state_display()}
        )
    if until is None:
        raise DestructionRefused(_("Give the day until which the dossier is kept."))
    if until <= timezone.localdate():
        raise DestructionRefused(_("The day until which the dossier is kept must be after today."))
    return _decide(
        case, actor=actor, action="postpone", state=CaseState.POSTPONED, reason=_clean_reason(reason), until=until
    )


@transaction.atomic
def destruction_hold(*, case: DestructionCase, actor, reason: str) -> DestructionCase:
    """Place the dossier on legal hold (a dispute, an inspection): never destroyed until released."""
    case = _lock(case, actor)
    if case.state not in HOLDABLE:
        raise DestructionRefused(
            _("Dossier %(code)s is %(state)s: it cannot be placed on hold.")
            % {"code": case.dossier.code, "state": case.get_state_display()}
        )
    return _decide(case, actor=actor, action="hold", state=CaseState.ON_HOLD, reason=_clean_reason(reason))


@transaction.atomic
def destruction_release(*, case: DestructionCase, actor, reason: str = "") -> DestructionCase:
    """Release a legal hold: the dossier is back on the list, awaiting a decision."""
    case = _lock(case, actor)
    if case.state != CaseState.ON_HOLD:
        raise DestructionRefused(_("Dossier %(code)s is not on legal hold.") % {"code": case.dossier.code})
    return _decide(case, actor=actor, action="release", state=CaseState.LISTED, reason=(reason or "").strip())


# --- Destruction ------------------------------------------------------------------------------


def _package_evidence(dossier: Dossier) -> str:
    """The archive package's SHA-256 for the record; its object goes after commit."""
    return package_destroy(dossier=dossier)


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a file storage could not delete is logged, not lost sight of
            logger.exception("destroyed dossier: could not delete %s from storage", name)


@transaction.atomic
def destruction_execute(*, case_id: int, today: date | None = None) -> DestructionRecord:
    """Destroy an approved dossier: its files (after commit), its personal data (anonymised
    rows, kept for the indicators), with the DestructionRecord and the audit event. Refused
    without approval, on hold, not yet due, not ended; a case already destroyed returns its record."""
    case = (
        DestructionCase.objects.select_for_update(of=("self",)).select_related("decided_by", "agency").get(pk=case_id)
    )
    if case.state == CaseState.DESTROYED:
        record = DestructionRecord.objects.filter(dossier_code=case.dossier.code).first()
        if record is not None:
            return record
    if case.state == CaseState.ON_HOLD:
        raise DestructionRefused(
            _("Dossier %(code)s is on legal hold: it is not destroyed.") % {"code": case.dossier.code}
        )
    if case.state != CaseState.APPROVED or case.decided_by is None:
        raise DestructionRefused(
            _("Dossier %(code)s has no approved destruction: a leader must approve it first.")
            % {"code": case.dossier.code}
        )
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("procedure_version__procedure", "competent_agency")
        .get(pk=case.dossier_id)
    )
    case.dossier = dossier
    _refuse_unless_due(case, today or timezone.localdate())

    receipts = list(Receipt.objects.filter(payment__dossier=dossier))
    erasure = dossier_erase(dossier=dossier, extra_files=[(r.file.name, r.sha256) for r in receipts if r.file])
    Receipt.objects.filter(pk__in=[r.pk for r in receipts]).update(file="")
    shipment = Shipment.objects.filter(dossier=dossier).first()
    if shipment is not None:
        Shipment.objects.filter(pk=shipment.pk).update(address=ANONYMISED)
        SandboxOrder.objects.filter(tracking_code=shipment.tracking_code).update(body={})
    # What was sent about it (the applicant's inbox, e-mails, SMS): the text and the address go.
    Notification.objects.filter(dossier_code=dossier.code).update(
        body=ANONYMISED, address=Concat(Value(f"{ANONYMISED} "), Cast("pk", CharField()))
    )
    package_sha256 = _package_evidence(dossier)

    now = timezone.now()
    approver = case.decided_by
    version = dossier.procedure_version
    record = DestructionRecord.objects.create(
        dossier_code=dossier.code,
        procedure_code=version.procedure.code,
        procedure_version=version.number,
        agency_code=case.agency.code,
        agency_name=case.agency.name,
        ended_on=case.ended_on,
        retention_years=case.retention_years,
        retention_ends_on=case.retention_ends_on,
        approved_by_id=approver.pk,
        approved_by_name=approver.full_name,
        approved_at=case.decided_at,
        destroyed_at=now,
        package_sha256=package_sha256,
        manifest_sha256=erasure.manifest_sha256,
        files_deleted=len(erasure.files),
        note=(
            _("%(kept)s file(s) still held by the applicant's document store or another dossier were kept.")
            % {"kept": erasure.kept_shared}
            if erasure.kept_shared
            else ""
        ),
    )
    case.state, case.destroyed_at = CaseState.DESTROYED, now
    case.save(update_fields=["state", "destroyed_at"])
    # The audit event, in this transaction; internal (public=False) and not sent anywhere: the
    # dossier's status does not change, and nobody is to be told about an anonymised dossier.
    DossierEvent.objects.create(
        dossier=dossier,
        kind=EventKind.DESTROYED,
        actor=approver,
        role=StaffRole.LEADER,
        agency=case.agency,
        from_status=dossier.status,
        to_status=dossier.status,
        public=False,
        data={"record": record.pk, "files_deleted": record.files_deleted, "manifest_sha256": record.manifest_sha256},
    )
    storage = private_storage()
    names = list(erasure.files)
    transaction.on_commit(lambda: _delete_files(storage, names))
    logger.info("dossier %s destroyed (record %s, %s files)", dossier.code, record.pk, record.files_deleted)
    return record


def destruction_execute_handler(*, case_id: int) -> None:
    """Outbox handler of "retention.destroy": a refusal (put on hold meanwhile) is logged, not retried."""
    try:
        destruction_execute(case_id=case_id)
    except DestructionRefused as error:
        logger.warning("destruction case %s not executed: %s", case_id, " ".join(error.messages))
