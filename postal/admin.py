from django.contrib import admin

from .models import Shipment, ShipmentEvent


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("event_id", "status", "at", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "dossier", "status", "created_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("tracking_code", "dossier__code")
    readonly_fields = ("dossier", "tracking_code", "address", "status", "created_at", "updated_at")
    inlines = [ShipmentEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
