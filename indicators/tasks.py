"""Nightly: recount the recent days into the snapshot (ratings, results and payments arrive late)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(acks_late=True)
def refresh_snapshot() -> int:
    """Recount the last INDICATORS_REFRESH_DAYS days up to yesterday (idempotent)."""
    from .models import SnapshotState
    from .services import snapshot_refresh

    days = getattr(settings, "INDICATORS_REFRESH_DAYS", 62)
    start = timezone.localdate() - timedelta(days=days)
    state = SnapshotState.objects.first()
    if state is not None and state.through < start - timedelta(days=1):
        start = state.through + timedelta(days=1)  # never leave a hole between the snapshot and the window
    return snapshot_refresh(start=start)
