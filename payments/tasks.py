from celery import shared_task


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def issue_receipt(payment_id: int) -> str:
    """Render and store the e-receipt of a paid payment (once)."""
    from .receipts import receipt_for

    return receipt_for(payment_id).number


@shared_task(acks_late=True)
def reconcile_payments() -> dict:
    """Beat: ask the gateway about payments pending too long; expire those past their deadline."""
    from .services import payments_reconcile

    return payments_reconcile()
