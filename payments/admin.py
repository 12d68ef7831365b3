from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AgencyPaymentSettings, Overpayment, Payment, PaymentEvent, Receipt


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    fields = ["at", "kind", "from_status", "to_status", "source", "actor", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments change through their services (gateway, bank, officer), audited."""

    list_display = ["reference", "dossier", "method", "amount", "status", "created_at", "paid_at", "refunded_amount"]
    list_filter = ["status", "method"]
    search_fields = ["reference", "dossier__code", "gateway_transaction"]
    list_select_related = ["dossier"]
    inlines = [PaymentEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["number", "payment", "issued_at"]
    search_fields = ["number", "payment__reference", "payment__dossier__code"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgencyPaymentSettings)
class AgencyPaymentSettingsAdmin(admin.ModelAdmin):
    list_display = ["agency", "online_gateway", "bank_qr", "bank_account"]
    autocomplete_fields = ["agency"]


@admin.register(Overpayment)
class OverpaymentAdmin(admin.ModelAdmin):
    """Money received but not owed; refunded by the desk, recorded with the action below."""

    list_display = ["payment", "dossier", "amount", "reason", "source", "status", "created_at", "refunded_at"]
    list_filter = ["status", "reason"]
    search_fields = ["payment__reference", "dossier__code", "gateway_transaction"]
    list_select_related = ["payment", "dossier"]
    readonly_fields = [f.name for f in Overpayment._meta.fields]
    actions = ["mark_refunded"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark as refunded"))
    def mark_refunded(self, request, queryset):
        from .services import overpayment_refund

        for overpayment in queryset:
            try:
                overpayment_refund(overpayment=overpayment, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
