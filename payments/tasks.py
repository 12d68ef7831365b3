from celery import shared_task


@shared_task(acks_late=True)
def reconcile_payments() -> dict:
    """Beat: ask the gateway about payments pending too long; expire those past their deadline."""
    from .services import payments_reconcile

    return payments_reconcile()
