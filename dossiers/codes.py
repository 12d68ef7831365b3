"""Dossier codes: <receiving unit code>-YYMMDD-NNNN, NNNN counting per unit per day."""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from .models import DossierCodeSequence

_TABLE = DossierCodeSequence._meta.db_table
# One statement that inserts the day's first number or increments the last one, atomically:
# concurrent submissions serialize on the row, so no two get the same number and none fails.
# PostgreSQL and SQLite (3.35+) share this upsert syntax.
# The table name comes from the model; the values are parameters.
_NEXT_SQL = f"INSERT INTO {_TABLE} (agency_id, day, last) VALUES (%s, %s, 1) ON CONFLICT (agency_id, day) DO UPDATE SET last = {_TABLE}.last + 1 RETURNING last"  # noqa: S608, E501, UP032


def next_dossier_code(*, agency, at: datetime) -> str:
    day = timezone.localtime(at).date()
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [agency.pk, day])
        (number,) = cursor.fetchone()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"
