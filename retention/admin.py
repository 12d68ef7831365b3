from django.contrib import admin

from .models import DestructionCase, DestructionRecord


@admin.register(DestructionCase)
class DestructionCaseAdmin(admin.ModelAdmin):
    """Read-only: leaders decide on their page (/can-bo/luu-tru/huy/), through the services."""

    list_display = ["dossier", "agency", "ended_on", "retention_ends_on", "state", "decided_by", "decided_at"]
    list_filter = ["state", "agency"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier", "agency", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DestructionRecord)
class DestructionRecordAdmin(admin.ModelAdmin):
    """Kept for ever: shown, never changed or deleted."""

    list_display = ["dossier_code", "procedure_code", "agency_code", "ended_on", "approved_by_name", "destroyed_at"]
    list_filter = ["agency_code"]
    search_fields = ["dossier_code", "procedure_code"]
    date_hierarchy = "destroyed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
