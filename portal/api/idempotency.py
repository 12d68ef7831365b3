"""Idempotency-Key on POSTs that create or change something.

The first request with a key claims it (a row, unique per owner and key, committed before the
work starts); its response is stored and replayed for the same key and the same request with
`Idempotent-Replayed: true`. The same key with a different request is a 422; a duplicate sent
while the first is still running gets a 409 with Retry-After. A request that fails (an error
raised, or a 5xx) releases its key so the client can retry it.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from portal.models import IdempotencyRecord

from .errors import Conflict, Unprocessable

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)


def owner_of(request) -> str:
    client = getattr(getattr(request, "auth", None), "client", None)
    return f"client:{client.pk}" if client is not None else f"user:{request.user.pk}"


def fingerprint(request) -> str:
    """SHA-256 of the request as parsed: method, path, fields and files (name, size, content)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):  # a form: every value of every field
        data = {key: values for key, values in data.lists() if not hasattr(values[0] if values else "", "read")}
    digest.update(json.dumps(data, cls=JSONEncoder, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"\n{name}:{upload.name}:{upload.size}:".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def idempotent(method):
    """Decorate an APIView's post(): honour the Idempotency-Key header (see the module docstring)."""

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError({HEADER: [_("Give a key of 1 to 255 characters.")]})
        owner, request_hash = owner_of(request), fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=request_hash,
                )
        except IntegrityError:
            return _replay(owner, key, request_hash)
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)
        return response

    return wrapper


def _replay(owner: str, key: str, request_hash: str) -> Response:
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is None:  # released meanwhile by a failed first attempt
        raise Conflict(_("A request with this Idempotency-Key has just failed; send it again."))
    if record.request_hash != request_hash:
        raise Unprocessable(_("This Idempotency-Key was already used for a different request."))
    if record.status_code is None:
        error = Conflict(_("A request with this Idempotency-Key is still in progress."))
        error.wait = 1
        raise error
    return Response(record.response_body, status=record.status_code, headers={REPLAYED: "true"})


def idempotency_purge(*, older_than: timedelta = KEEP_FOR) -> int:
    """Forget keys older than a day (clients retry within minutes)."""
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
