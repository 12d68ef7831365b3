"""Decision 766 indicators: the one write, the nightly snapshot of past days' counts."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .calendar_table import ensure_calendar
from .definitions import Scope
from .models import DailyCounts, SnapshotState
from .selectors import live_counts

# --- The nightly snapshot -----------------------------------------------------------------------


@transaction.atomic
def snapshot_refresh(*, start: date, end: date | None = None) -> int:
    """Recount days [start, end] (default: up to yesterday) into DailyCounts; return the rows written."""
    yesterday = timezone.localdate() - timedelta(days=1)
    end = min(end or yesterday, yesterday)
    if end < start:
        return 0
    ensure_calendar(start, end)
    counts = live_counts(Scope(start, end), "day_agency_procedure")
    DailyCounts.objects.filter(day__gte=start, day__lte=end).delete()
    rows = [
        DailyCounts(day=day, agency_id=agency_id, procedure_id=procedure_id, **values)
        for (day, agency_id, procedure_id), values in counts.items()
        if any(values.values())
    ]
    DailyCounts.objects.bulk_create(rows, batch_size=5000)
    state = SnapshotState.objects.first()
    if state is None:
        SnapshotState.objects.create(since=start, through=end)
    else:
        if start > state.through + timedelta(days=1) or end < state.since - timedelta(days=1):
            raise ValueError("The refreshed days must touch the days the snapshot already holds.")
        state.since, state.through = min(state.since, start), max(state.through, end)
        state.save()
    return len(rows)
