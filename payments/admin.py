from django.contrib import admin

from .models import AgencyPaymentSettings, Payment, PaymentEvent, Receipt


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
