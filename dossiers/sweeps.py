"""The deadline sweep: mark dossiers due within 1 working day, and overdue, with one set-based
UPDATE per threshold; each marked dossier gets one outbox row, so officers (and, when overdue,
their leaders) are warned once per threshold, however often the sweep runs."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from portal.models import OutboxMessage
from portal.outbox import outbox_dispatch
from procedures.calendar import due_soon_boundary

from .constants import IN_QUEUE, DossierStatus
from .models import Dossier

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
