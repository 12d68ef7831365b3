"""The carrier's status webhook, and the built-in sandbox carrier speaking the same JSON."""

import json
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import SandboxOrder

logger = logging.getLogger("postal")


@csrf_exempt
@require_POST
def webhook(request):
    """The carrier's signed status notification (X-Signature: hex HMAC-SHA256 of the body)."""
    try:
        result = services.webhook_handle(body=request.body, signature=request.headers.get("X-Signature", ""))
    except services.WebhookRejected as rejected:
        return JsonResponse({"error": str(rejected)}, status=rejected.status)
    return JsonResponse({"status": result})


def sandbox_root(request):
    if not settings.POSTAL_SANDBOX_ENABLED:
        raise Http404
    return JsonResponse({"service": "postal sandbox", "orders": request.build_absolute_uri("orders/")})


@csrf_exempt
@require_POST
def sandbox_orders(request):
    """The sandbox carrier's order API: a bearer token, a reference, a recipient with an address."""
    if not settings.POSTAL_SANDBOX_ENABLED:
        raise Http404
    if request.headers.get("Authorization", "") != f"Bearer {settings.POSTAL_API_TOKEN}":
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        body = json.loads(request.body)
        reference = str(body["reference"])[:64]
        address = str(body["recipient"]["address"]).strip()
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "malformed order"}, status=400)
    if not reference or not address:
        return JsonResponse({"error": "reference and recipient address are required"}, status=400)
    order = SandboxOrder.objects.filter(reference=reference).first()
    if order is None:
        try:
            with transaction.atomic():
                order = SandboxOrder.objects.create(
                    reference=reference, tracking_code="EB" + secrets.token_hex(5).upper() + "VN", body=body
                )
        except IntegrityError:
            order = SandboxOrder.objects.get(reference=reference)
    return JsonResponse({"tracking_code": order.tracking_code, "reference": reference, "status": "created"}, status=201)
