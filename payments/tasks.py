from celery import shared_task


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def issue_receipt(payment_id: int) -> str:
    """Render and store the e-receipt of a paid payment (once)."""
    from .receipts import receipt_for

    return receipt_for(payment_id).number


@shared_task(acks_late=True)
def reconcile_payments() -> int:
    """Beat: expire pending payments past their deadline."""
    from .services import payments_expire_overdue

    return payments_expire_overdue()
