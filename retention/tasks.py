"""Thin Celery tasks of the retention app."""

from celery import shared_task


@shared_task(acks_late=True)
def list_due_dossiers() -> int:
    """Beat, daily: put the dossiers whose retention ended on their agencies' destruction lists."""
    from .services import retention_list_due  # the models: once the app registry is ready

    return retention_list_due()
