"""Thin Celery tasks of the portal: deliver a notification, handle and sweep the outbox."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger("portal.tasks")


@shared_task(bind=True, acks_late=True, max_retries=5, retry_backoff=30, retry_backoff_max=1800, retry_jitter=True)
def send_notification(self, notification_id: int) -> str:
    """Send one email/SMS/Zalo message; retried with backoff, then marked failed (never twice)."""
    from .channels import ChannelError, sender
    from .models import DeliveryStatus, Notification

    notification = Notification.objects.get(pk=notification_id)
    if notification.status != DeliveryStatus.PENDING:
        return notification.status
    # Claim this attempt (compare-and-swap on the attempt count): of two runs of the same
    # message at once, only one sends.
    claimed = Notification.objects.filter(
        pk=notification_id,
        status=DeliveryStatus.PENDING,
        attempts=notification.attempts,
    ).update(attempts=notification.attempts + 1)
    if not claimed:
        return "skipped"
    try:
        sender(notification.channel)(notification.address, notification.subject, notification.body)
    except ChannelError as error:
        last = self.request.retries >= self.max_retries
        Notification.objects.filter(pk=notification_id).update(
            last_error=str(error)[:1000], status=DeliveryStatus.FAILED if last else DeliveryStatus.PENDING
        )
        logger.warning(
            "dossier=%s notification=%s channel=%s failed: %s",
            notification.dossier_code,
            notification_id,
            notification.channel,
            error,
        )
        if last:
            return DeliveryStatus.FAILED
        raise self.retry(exc=error) from error
    Notification.objects.filter(pk=notification_id).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    logger.info(
        "dossier=%s notification=%s channel=%s sent", notification.dossier_code, notification_id, notification.channel
    )
    return DeliveryStatus.SENT


@shared_task(acks_late=True, max_retries=5, retry_backoff=True)
def handle_outbox(message_id: int) -> str:
    """Do the work an outbox row stands for (each handler is idempotent)."""
    from .models import OutboxMessage
    from .outbox_handlers import outbox_handler_for

    message = OutboxMessage.objects.get(pk=message_id)
    outbox_handler_for(message.topic)(**message.payload)
    return message.topic


@shared_task(acks_late=True)
def outbox_sweep(max_seconds: float = 50.0) -> int:
    """Publish what the after-commit dispatch could not (broker down, process died), batch after
    batch until nothing is left or the minute is nearly over (the next sweep goes on)."""
    import time

    from .outbox import BATCH, outbox_dispatch

    started, total = time.monotonic(), 0
    while time.monotonic() - started < max_seconds:
        count = outbox_dispatch()
        total += count
        if count < BATCH:
            break
    if total:
        logger.info("outbox sweep published %s messages", total)
    return total


@shared_task(acks_late=True)
def idempotency_purge() -> int:
    """Forget API Idempotency-Keys older than a day."""
    from portal.api.idempotency import idempotency_purge as purge

    return purge()
