"""The archive package's build, in a worker of the "documents" queue: retried while a file of the
dossier is still being scanned, idempotent (a package built is never built again)."""

from celery import shared_task

from .package import PackageNotReady


@shared_task(acks_late=True, autoretry_for=(PackageNotReady,), max_retries=12, retry_backoff=60, retry_backoff_max=3600)
def build_package(dossier_id: int) -> str:
    from dossiers.models import Dossier  # the models: once the app registry is ready (tasks load early)

    from .services import package_build

    return package_build(dossier=Dossier.objects.get(pk=dossier_id)).sha256
