"""The deadline sweep: mark dossiers due within 1 working day, and overdue, with one set-based
UPDATE per threshold; each marked dossier gets one outbox row, so officers (and, when overdue,
their leaders) are warned once per threshold, however often the sweep runs."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboxMessage
from portal.notifications import Recipient, notify
from portal.outbox import outbox_dispatch
from procedures.calendar import due_soon_boundary

from .constants import IN_QUEUE, DossierStatus
from .exceptions import DossierConflict
from .models import Attachment, Dossier
from .services import dossier_draft_delete

_TABLE = Dossier._meta.db_table
# Dossiers waiting for the applicant are not the officers' to finish.
_SWEPT = [
    s
    for s in IN_QUEUE
    if s not in (DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.FINISHED, DossierStatus.SUBMITTED)
]


@dataclass
class SweepResult:
    due_soon: int
    overdue: int


def _mark_and_queue(column: str, condition: str, params: list, now, threshold: str) -> int:
    """PostgreSQL: mark and write the outbox rows in ONE statement (a data-modifying CTE), so a
    million dossiers never travel to Python and back."""
    placeholders = ", ".join(["%s"] * len(_SWEPT))
    sql = (
        f"WITH marked AS (UPDATE {_TABLE} SET {column} = %s WHERE {column} IS NULL "  # noqa: S608
        f"AND status IN ({placeholders}) AND {condition} RETURNING id) "
        f"INSERT INTO {OutboxMessage._meta.db_table} (topic, payload, created_at, attempts, last_error) "
        f"SELECT 'dossier.deadline', json_build_object('dossier_id', id, 'threshold', %s)::jsonb, %s, 0, '' "
        f"FROM marked"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *_SWEPT, *params, threshold, now])
        return cursor.rowcount


def _mark(column: str, condition: str, params: list, now) -> list[int]:
    placeholders = ", ".join(["%s"] * len(_SWEPT))
    sql = (
        f"UPDATE {_TABLE} SET {column} = %s WHERE {column} IS NULL AND status IN ({placeholders}) "  # noqa: S608
        f"AND {condition} RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *_SWEPT, *params])
        return [row[0] for row in cursor.fetchall()]


def deadline_sweep(now=None) -> SweepResult:
    now = now or timezone.now()
    soon = due_soon_boundary(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            overdue = _mark_and_queue("overdue_notified_at", "due_at < %s", [now], now, "overdue")
            due_soon = _mark_and_queue(
                "due_soon_notified_at", "due_at >= %s AND due_at <= %s", [now, soon], now, "due_soon"
            )
            if overdue or due_soon:
                transaction.on_commit(lambda: outbox_dispatch())
            return SweepResult(due_soon=due_soon, overdue=overdue)
        overdue = _mark("overdue_notified_at", "due_at < %s", [now], now)
        due_soon = _mark("due_soon_notified_at", "due_at >= %s AND due_at <= %s", [now, soon], now)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(topic="dossier.deadline", payload={"dossier_id": pk, "threshold": "overdue"})
                for pk in overdue
            ]
            + [
                OutboxMessage(topic="dossier.deadline", payload={"dossier_id": pk, "threshold": "due_soon"})
                for pk in due_soon
            ],
            batch_size=2000,
        )
        if overdue or due_soon:
            transaction.on_commit(lambda: outbox_dispatch())
    return SweepResult(due_soon=len(due_soon), overdue=len(overdue))


# --- Old drafts ----------------------------------------------------------------------------------
draft_log = logging.getLogger("dossiers.drafts")


@dataclass
class DraftSweepResult:
    warned: int
    deleted: int


def _untouched_since(cutoff):
    """Drafts neither edited nor given a file since `cutoff`."""
    recent_file = Attachment.objects.filter(dossier=OuterRef("pk"), uploaded_at__gte=cutoff)
    return Dossier.objects.filter(status=DossierStatus.DRAFT, updated_at__lt=cutoff).exclude(Exists(recent_file))


def draft_sweep(now=None) -> DraftSweepResult:
    """Warn the owner of a draft untouched DRAFT_RETENTION_DAYS - DRAFT_WARNING_DAYS days (once for
    each untouched spell: a draft edited after its warning is warned again when it goes quiet), then
    delete, with its files, a draft untouched DRAFT_RETENTION_DAYS whose owner was warned at least
    DRAFT_WARNING_DAYS before. Idempotent: run it as often as you like."""
    now = now or timezone.now()
    keep, warn = settings.DRAFT_RETENTION_DAYS, settings.DRAFT_WARNING_DAYS
    warned = 0
    to_warn = (
        _untouched_since(now - timedelta(days=keep - warn))
        .filter(Q(draft_warned_at__isnull=True) | Q(draft_warned_at__lt=F("updated_at")))
        .select_related("applicant", "filed_by", "procedure_version")
    )
    for draft in to_warn.iterator(chunk_size=500):
        owner = draft.applicant or draft.filed_by  # a counter draft: the officer filing it
        with transaction.atomic():
            if not Dossier.objects.filter(pk=draft.pk, updated_at=draft.updated_at).update(draft_warned_at=now):
                continue  # edited meanwhile
            notify(
                key=f"draft-expiring:{draft.pk}:{draft.updated_at.isoformat()}",
                event="draft_expiring",
                recipient=Recipient(user=owner),
                context={
                    "name": owner.full_name,
                    "procedure": draft.procedure_version.name,
                    "deleted_on": timezone.localdate(now + timedelta(days=warn)),
                    "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("dossiers:draft", args=[draft.public_id]),
                },
            )
            warned += 1
    deleted = 0
    due = _untouched_since(now - timedelta(days=keep)).filter(
        draft_warned_at__isnull=False,
        draft_warned_at__gte=F("updated_at"),
        draft_warned_at__lte=now - timedelta(days=warn),
    )
    for draft in due.select_related("applicant", "filed_by").iterator(chunk_size=500):
        try:
            dossier_draft_delete(dossier=draft, actor=draft.applicant or draft.filed_by)
        except DossierConflict:
            continue  # submitted meanwhile, or held by a payment: it stays
        deleted += 1
    if warned or deleted:
        draft_log.info("draft sweep: %d warned, %d deleted", warned, deleted)
    return DraftSweepResult(warned=warned, deleted=deleted)
