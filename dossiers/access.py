"""The access log: who of the staff read which dossier, file or document (the citizen sees it on
"Dữ liệu của tôi", the auditors export it). One INSERT per read and no SELECT: the role and agency
come from the memberships already read for the permission check of the same request."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.constants import StaffRole
from portal.memberships import memberships

from .models import DossierAccess

What = DossierAccess.What
# Which of the officer's roles a read is recorded under, when they hold several at the dossier's agencies.
_ORDER = (StaffRole.SPECIALIST, StaffRole.RECEPTIONIST, StaffRole.LEADER)


def _acting_as(user, dossier) -> tuple[int | None, str]:
    """(agency id, role) the read was made under: a role held at an agency of the dossier."""
    held = memberships(user)
    agencies = (dossier.competent_agency_id, dossier.consulted_agency_id, dossier.receiving_agency_id)
    for agency in agencies:
        for role in _ORDER:
            if agency and (agency, role) in held:
                return agency, role
    # A cross-boundary dossier awaiting any desk: the officer's own desk.
    for agency, role in sorted(held):
        return agency, role
    return None, ""


def sees_whole_numbers(user, dossier) -> bool:
    """Whether this person sees the applicant's personal ID and phone numbers whole on the dossier
    (elsewhere they are masked: portal.masking). The applicant and the officer filing it at the
    counter; the one-stop desk of the receiving agency (it checks the identity and calls the
    applicant), or any desk while a cross-boundary dossier awaits reception; the specialist assigned
    to it. Leaders and consulted agencies see the last digits only."""
    if user.pk in (dossier.applicant_id, dossier.filed_by_id):
        return True
    if dossier.assigned_to_id == user.pk:
        return True
    held = memberships(user)
    if (dossier.receiving_agency_id, StaffRole.RECEPTIONIST) in held:
        return True
    return (
        dossier.cross_boundary
        and dossier.receiving_agency_id is None
        and any(role == StaffRole.RECEPTIONIST for _, role in held)
    )


def dossier_access_record(*, user, dossier, what: str, attachment=None, document=None) -> DossierAccess | None:
    """Write one read of a dossier by staff; nothing for the applicant's (or their filer's) own reads."""
    if not getattr(user, "is_authenticated", False) or dossier.applicant_id == user.pk or dossier.pk is None:
        return None
    agency, role = _acting_as(user, dossier)
    access = DossierAccess(
        dossier=dossier,
        attachment=attachment,
        document=document,
        staff=user,
        role=role,
        agency_id=agency,
        what=what,
    )
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        access.save(force_insert=True)  # with the surrounding transaction, if any
        return access
    # On its own, the INSERT would wait for its commit to reach the disk (an fsync: about 5 ms on
    # the bench machine, more than the page may spend on it). A crash may lose the last fraction of
    # a second of reads (PostgreSQL's wal_writer_delay), never corrupt or half-write one.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        access.save(force_insert=True)
    return access


def dossier_accesses_of(applicant) -> QuerySet[DossierAccess]:
    """Every staff read of this person's dossiers, newest first (the citizen's access log)."""
    return DossierAccess.objects.filter(dossier__applicant=applicant).select_related(
        "staff", "agency", "dossier", "attachment", "document"
    )


def access_log_filtered(*, since=None, until=None, agency_id=None, staff_id=None) -> QuerySet[DossierAccess]:
    """The auditors' view: the access log for a period, an agency or an officer."""
    qs = DossierAccess.objects.select_related("staff", "agency", "dossier", "attachment")
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    return qs


def access_log_purge(*, now=None) -> int:
    """Delete the reads older than ACCESS_LOG_RETENTION_DAYS (one DELETE); return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    # Nothing points at a read, so Django deletes them with one DELETE (no rows fetched).
    deleted, _ = DossierAccess.objects.filter(at__lt=cutoff).delete()
    return deleted
