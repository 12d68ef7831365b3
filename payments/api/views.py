"""Paying a dossier through the API: start (the gateway's URL or the bank QR), and status.
The gateway's and the bank's callbacks are the plain views in payments/views.py."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import selectors as dossier_selectors
from dossiers.api.scope import api_dossier
from payments import services
from payments.constants import PaymentMethod, PaymentStatus
from payments.models import Payment
from payments.vietqr import vietqr_payload
from portal.api.errors import Conflict
from portal.api.idempotency import idempotent
from portal.api.schema import IDEMPOTENCY_KEY, responses
from portal.api.scope import within_scope
from portal.client import client_address

from .serializers import PaymentSerializer, PaymentStartSerializer


def _context(request, payment, *, send: bool) -> dict:
    if payment.status != PaymentStatus.PENDING:
        return {}
    if payment.method == PaymentMethod.VIETQR:
        return {
            "vietqr": {
                "payload": vietqr_payload(
                    bank_bin=settings.VIETQR_BANK_BIN,
                    account=settings.VIETQR_ACCOUNT,
                    amount=payment.amount,
                    reference=payment.reference,
                ),
                "account": settings.VIETQR_ACCOUNT,
                "account_name": settings.VIETQR_ACCOUNT_NAME,
                "page_url": request.build_absolute_uri(
                    reverse("payments:vietqr", kwargs={"reference": payment.reference})
                ),
            }
        }
    if payment.method in (PaymentMethod.VNPAY, PaymentMethod.SANDBOX):
        return {
            "redirect_url": services.payment_gateway_url(
                payment=payment,
                gateway_url=settings.VNPAY_URL or request.build_absolute_uri(reverse("payments:sandbox")),
                return_url=request.build_absolute_uri(reverse("payments:vnpay_return")),
                ip_addr=client_address(request),
                send=send,
            )
        }
    return {}


class PaymentStartView(APIView):
    @extend_schema(
        tags=["Payments"],
        request=PaymentStartSerializer,
        parameters=[
            OpenApiParameter("ref", OpenApiTypes.STR, OpenApiParameter.PATH, description="Dossier code."),
            IDEMPOTENCY_KEY,
        ],
        responses=responses({201: PaymentSerializer}, 400, 401, 404, 409, 422),
        description="Pay what the dossier owes: the pending payment of this method if there is one. For the "
        "gateway, send the payer to `redirect_url`; for VietQR, show `vietqr.payload` as a QR code. "
        "The gateway's or the bank's notification confirms it: poll GET /payments/{id}/.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = api_dossier(request, ref)
        serializer = PaymentStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            payment = services.payment_start(
                dossier=dossier, method=serializer.validated_data["method"], actor=request.user
            )
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages)) from None
        payment = Payment.objects.select_related("dossier").get(pk=payment.pk)
        return Response(
            PaymentSerializer(payment, context=_context(request, payment, send=True)).data,
            status=status.HTTP_201_CREATED,
        )


class PaymentDetailView(APIView):
    @extend_schema(
        tags=["Payments"],
        parameters=[
            OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The payment's id.")
        ],
        responses=responses({200: PaymentSerializer}, 401, 404),
    )
    def get(self, request, reference):
        visible = within_scope(request, dossier_selectors.visible_dossiers(request.user))
        payment = Payment.objects.select_related("dossier").filter(reference=reference, dossier__in=visible).first()
        if payment is None:
            raise NotFound
        return Response(PaymentSerializer(payment, context=_context(request, payment, send=False)).data)
