"""The demo PKI's public endpoints (DEMO_PKI only; production's CA and TSA are external):
the demo CA's CRL and an RFC 3161 time-stamp responder, so `make run` and the tests sign with
a time stamp and revocation data without the internet."""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import signing

log = logging.getLogger(__name__)

MAX_QUERY_BYTES = 8192  # a TimeStampReq is a hash and a few fields: some hundred bytes


def _demo_dir():
    directory = signing._demo_pki_dir() if getattr(settings, "DEMO_PKI", False) else None
    if directory is None:
        raise Http404("No demo PKI here.")
    return directory


@require_GET
@cache_control(public=True, max_age=3600)
def ca_crl(request):
    """GET /pki/ca.crl: the demo CA's current CRL, DER (RFC 5280 § 4.2.1.13 distribution point)."""
    directory = _demo_dir()
    data = signing.demo_crl(directory, passphrase=signing._passphrase())
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Content-Disposition"] = 'attachment; filename="ca.crl"'
    return response


@csrf_exempt  # a machine-to-machine protocol: the query is a hash, the reply is signed
@require_POST
def tsa(request):
    """POST /pki/tsa/: an RFC 3161 time-stamp responder over HTTP (application/timestamp-query
    in, application/timestamp-reply out), answering as the demo TSA."""
    _demo_dir()
    content_type = request.content_type or ""
    if content_type != "application/timestamp-query":
        return HttpResponse(
            "Send an RFC 3161 TimeStampReq as application/timestamp-query.\n",
            status=415,
            content_type="text/plain; charset=utf-8",
        )
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_QUERY_BYTES:
        return HttpResponse("Time-stamp query too large.\n", status=413, content_type="text/plain; charset=utf-8")
    query = request.body
    reply, granted = signing.tsa_reply(query)
    rejected = not granted
    if rejected:
        log.warning("Refused a malformed time-stamp query (%d bytes)", len(query))
    return HttpResponse(reply, status=400 if rejected else 200, content_type="application/timestamp-reply")
