from django.contrib import admin

from .models import Dossier, DossierEvent, Rating, StoredDocument, SupplementRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Dossiers change only through their services (state machine + audit), never in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    fields = ["at", "kind", "actor", "role", "from_status", "to_status", "comment", "public"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["code", "procedure_version", "applicant_name", "status", "submitted_at", "due_at"]
    list_filter = ["status", "channel", "receiving_agency"]
    search_fields = ["code", "applicant_name", "applicant_id_number"]
    list_select_related = ["procedure_version__procedure"]
    inlines = [EventInline]


@admin.register(StoredDocument)
class StoredDocumentAdmin(ReadOnlyAdmin):
    list_display = ["owner", "document_type", "name", "size", "created_at"]
    search_fields = ["owner__email", "document_type", "name"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "round", "requested_at", "answered_at"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "time_to_result", "contacts", "published_information", "staff_attitude",
                    "online_service", "created_at"]
