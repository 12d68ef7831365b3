"""The transactional outbox: write in the caller's transaction, publish after commit.

`outbox_write` adds a row in the current transaction and arranges a dispatch after commit.
`outbox_dispatch` claims unpublished rows (SKIP LOCKED on PostgreSQL, so two dispatchers
never take the same row), publishes each to Celery and marks it published in the same
transaction. If the broker is down nothing is lost: the rows wait for the next dispatch (the
beat sweep runs one every minute).
"""

import logging

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger("portal.outbox")
BATCH = 500


def outbox_write(topic: str, payload: dict) -> OutboxMessage:
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    transaction.on_commit(lambda: outbox_dispatch(ids=[message.pk]))
    return message


def outbox_dispatch(*, ids: list[int] | None = None) -> int:
    """Publish unpublished outbox rows (these ids, or the oldest ones); return how many."""
    from .tasks import handle_outbox

    published = 0
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        for row in rows.order_by("created_at", "pk")[:BATCH]:
            try:
                handle_outbox.apply_async((row.pk,), retry=False)
            except Exception as error:  # noqa: BLE001 - broker down: keep the row for the next sweep
                OutboxMessage.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=str(error)[:500])
                logger.warning("outbox publish failed, will retry: %s", error)
                break
            row.published_at = timezone.now()
            row.save(update_fields=["published_at"])
            published += 1
    return published


def oldest_unpublished_age() -> float | None:
    """Seconds since the oldest row still waiting to be published (None if none)."""
    oldest = OutboxMessage.objects.filter(published_at__isnull=True).order_by("created_at").first()
    return (timezone.now() - oldest.created_at).total_seconds() if oldest else None
