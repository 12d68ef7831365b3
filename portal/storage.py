"""The private storage (attachments, forms, results, receipts) and how its files are served.

Local disk by default; S3-compatible object storage when PRIVATE_STORAGE_BUCKET is set
(portal/settings/base.py). Views check who may read a file before calling private_file_response.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, HttpResponseRedirect
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    """Stands for storages["private"] (a FileField evaluates its storage callable once, at import):
    resolved at first use and again after the STORAGES setting changes, as Django's default_storage."""

    def _setup(self):
        self._wrapped = storages["private"]


PRIVATE = PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        PRIVATE._wrapped = empty


def is_object_storage(storage=None) -> bool:
    backend = storage if storage is not None else storages["private"]
    return backend.__class__.__module__.startswith("storages.backends.s3")


def private_file_response(field_file, *, filename: str, content_type: str, as_attachment: bool = True):
    """Stream the file, or, on object storage with PRIVATE_STORAGE_REDIRECT, redirect to a presigned
    URL of a few minutes that makes the browser save it under `filename`. Never cached by proxies."""
    if settings.PRIVATE_STORAGE_REDIRECT and is_object_storage():
        from django.utils.http import content_disposition_header

        url = storages["private"].url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.PRIVATE_STORAGE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            field_file.open("rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    return response
