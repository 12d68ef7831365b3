from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from payments.constants import PaymentMethod
from payments.models import Payment


class PaymentStartSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=[PaymentMethod.VNPAY, PaymentMethod.SANDBOX, PaymentMethod.VIETQR],
        help_text=_("vnpay or sandbox: send the payer to redirect_url; vietqr: show the QR payload to scan."),
    )


class VietQRSerializer(serializers.Serializer):
    payload = serializers.CharField(help_text=_("EMVCo payload to render as a QR code."))
    account = serializers.CharField()
    account_name = serializers.CharField()
    page_url = serializers.CharField(help_text=_("The portal page with the QR image (browser session)."))


class PaymentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="reference")
    dossier = serializers.CharField(source="dossier.code")
    redirect_url = serializers.SerializerMethodField()
    vietqr = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "dossier",
            "method",
            "amount",
            "status",
            "items",
            "created_at",
            "expires_at",
            "paid_at",
            "refunded_amount",
            "redirect_url",
            "vietqr",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True, help_text=_("Gateway page to send the payer to.")))
    def get_redirect_url(self, payment):
        return self.context.get("redirect_url")

    @extend_schema_field(VietQRSerializer(allow_null=True))
    def get_vietqr(self, payment):
        return self.context.get("vietqr")
