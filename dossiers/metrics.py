"""Dossier gauges for /metrics (portal.metrics): open and overdue dossiers per competent agency.
One aggregate over the open dossiers (the dossier_queue_idx partial index) per scrape."""

from django.db.models import Count, Q
from django.utils import timezone

from .constants import IN_QUEUE
from .models import Dossier


def _per_agency():
    now = timezone.now()
    return (
        Dossier.objects.filter(status__in=IN_QUEUE)
        .values_list("competent_agency__code")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("competent_agency__code")
    )


def open_dossiers():
    return [((code or "",), n) for code, n, _overdue in _per_agency()]


def overdue_dossiers():
    return [((code or "",), overdue) for code, _n, overdue in _per_agency()]
