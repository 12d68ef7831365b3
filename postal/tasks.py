"""The carrier's order, in a worker: retried with back-off while the carrier cannot be reached."""

from celery import shared_task

from .client import PostalApiError


@shared_task(acks_late=True, autoretry_for=(PostalApiError,), max_retries=8, retry_backoff=60, retry_backoff_max=3600)
def create_shipment(dossier_id: int) -> str:
    from .services import shipment_create  # the models: once the app registry is ready

    return shipment_create(dossier_id=dossier_id).tracking_code
