"""Results by post: the shipment created when the result is issued, and the carrier's signed
status webhook (delivered: the result is returned; returned to sender: back to the desk)."""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dossiers.actions import dossier_act_as_system
from dossiers.constants import Delivery, DossierStatus, EventKind
from dossiers.models import Dossier
from dossiers.services import record_event

from . import client
from .models import Shipment, ShipmentEvent, ShipmentStatus

logger = logging.getLogger("postal")


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def shipment_create(*, dossier_id: int) -> Shipment:
    """Order the carrier to deliver the dossier's result (idempotent: once per dossier; the
    carrier answers the same order for the same reference). PostalApiError: try again later."""
    dossier = Dossier.objects.get(pk=dossier_id)
    existing = Shipment.objects.filter(dossier=dossier).first()
    if existing:
        return existing
    answer = client.create_order(
        {
            "reference": dossier.code,
            "recipient": {
                "name": dossier.applicant_name,
                "phone": dossier.applicant_phone,
                "address": dossier.delivery_address,
            },
            "content": f"Kết quả hồ sơ {dossier.code}",
            "cod_amount": 0,  # the postal fee was paid with the dossier's fees
        }
    )
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                dossier=dossier, tracking_code=str(answer["tracking_code"])[:64], address=dossier.delivery_address
            )
    except IntegrityError:  # the same event handled twice at once: the other one recorded it
        return Shipment.objects.get(dossier=dossier)
    logger.info("dossier=%s shipment %s created", dossier.code, shipment.tracking_code)
    return shipment


def postal_on_dossier_event(*, event) -> None:
    """dossiers.hooks: a result issued for a dossier whose applicant chose the post is shipped."""
    if event.kind == EventKind.RESULT_ISSUED and event.dossier.delivery == Delivery.POST:
        from .tasks import create_shipment  # tasks import services: imported when first needed

        create_shipment.delay(event.dossier_id)


def postal_desk_context(*, dossier, user) -> dict:
    """dossiers.hooks: the officers' desk page shows the shipment and a return to sender."""
    return {"shipment": Shipment.objects.filter(dossier=dossier).first()}


def signature_valid(body: bytes, signature: str) -> bool:
    expected = hmac.new(settings.POSTAL_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest((signature or "").strip().lower(), expected)


def sign(body: bytes) -> str:
    """The carrier's signature of a body (the sandbox and tests sign with it)."""
    return hmac.new(settings.POSTAL_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def webhook_handle(*, body: bytes, signature: str) -> str:
    """One status notification: verified, recorded once, and acted on in the same transaction.
    Returns "ok" or "duplicate"; WebhookRejected (nothing changed) otherwise."""
    if not signature_valid(body, signature):
        logger.warning("postal webhook with an invalid signature refused")
        raise WebhookRejected(403, "invalid signature")
    try:
        data = json.loads(body)
        event_id, tracking, status = str(data["event_id"]), str(data["tracking_code"]), str(data["status"])
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected(400, "malformed notification") from None
    if not event_id.strip() or len(event_id) > 64:
        raise WebhookRejected(400, "malformed notification")
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(tracking_code=tracking).first()
        if shipment is None:
            logger.warning("postal webhook for unknown tracking code %s", tracking)
            raise WebhookRejected(404, "unknown tracking code")
        if ShipmentEvent.objects.filter(event_id=event_id).exists():
            logger.info("postal webhook event %s replayed: ignored", event_id)
            return "duplicate"
        ShipmentEvent.objects.create(shipment=shipment, event_id=event_id, status=status, data=data)
        if status == ShipmentStatus.DELIVERED and shipment.status == ShipmentStatus.CREATED:
            shipment.status = ShipmentStatus.DELIVERED
            shipment.save(update_fields=["status", "updated_at"])
            if shipment.dossier.status == DossierStatus.FINISHED:
                dossier_act_as_system(
                    dossier=shipment.dossier,
                    name="return_result",
                    data={"collected_by": _("Delivered by post (%(code)s)") % {"code": tracking}},
                )
        elif status == ShipmentStatus.RETURNED_TO_SENDER and shipment.status == ShipmentStatus.CREATED:
            # The result stays with the desk (the dossier is still "finished", in its queue): the
            # desk page shows the return, and the desk hands the result over or posts it again.
            shipment.status = ShipmentStatus.RETURNED_TO_SENDER
            shipment.save(update_fields=["status", "updated_at"])
            dossier = Dossier.objects.select_for_update().get(pk=shipment.dossier_id)
            record_event(
                dossier,
                kind=EventKind.POSTAL_RETURNED,
                actor=None,
                from_status=dossier.status,
                role="system",
                data={"tracking_code": tracking, "reason": str(data.get("reason", ""))[:200]},
            )
            logger.info("dossier=%s result returned to sender by the post", dossier.code)
    return "ok"
