"""Thin Celery tasks: they take ids, re-read the rows, and never post a delivered event twice.

A failing target is retried by `deliver` re-enqueueing itself with a countdown, never by waiting
in a worker; `retry_due_deliveries` (beat) is the safety net for tasks that got lost. They run on
the "default" queue (CELERY_TASK_DEFAULT_QUEUE; Celery 5.7 deprecates a per-task `queue`).
"""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

# The sweep leaves alone what a countdown task should be picking up right now.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=True,
    retry_backoff_max=600,
)
def sync_event(self, event_id: int) -> int:
    """Create the deliveries of one dossier event and send each one that is still to be sent."""
    from . import services

    deliveries = services.deliveries_for_event(event_id)
    due = [delivery.pk for delivery in deliveries if services.is_due(delivery)]
    for delivery_id in due:
        deliver.apply_async(args=[delivery_id])
    return len(due)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=True,
    retry_backoff_max=600,
)
def deliver(self, delivery_id: int) -> str:
    """Attempt one delivery if it is due; on failure, come back when the next attempt is due."""
    from . import services
    from .models import Delivery, DeliveryStatus

    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not services.is_due(delivery):
        return "skipped"  # delivered, dead, not due yet, or rescheduled by someone else
    attempts_before = delivery.attempts
    if services.attempt(delivery):
        return "delivered"
    if delivery.attempts > attempts_before and delivery.status == DeliveryStatus.FAILED_RETRYING:
        # Only the task that made the attempt schedules the next one: one chain per delivery.
        self.apply_async(args=[delivery_id], countdown=services.seconds_until_next_attempt(delivery))
        return "retrying"
    return delivery.status


@shared_task(acks_late=True)
def retry_due_deliveries() -> int:
    """Enqueue the deliveries whose next attempt is overdue (their own task was lost)."""
    from . import services

    overdue = list(
        services.due_deliveries(overdue_by=SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for delivery_id in overdue:
        deliver.apply_async(args=[delivery_id])
    return len(overdue)
