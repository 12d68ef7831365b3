from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exports import spreadsheet_response
from portal.scanner import scanner_configured

from .models import (
    Attachment,
    Dossier,
    DossierAccess,
    DossierEvent,
    OfficerFile,
    Rating,
    StoredDocument,
    SupplementRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Dossiers change only through their services (state machine + audit), never in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScannerNotice:
    """Say on the file lists when uploads are not being scanned (the embedded default)."""

    def changelist_view(self, request, extra_context=None):
        if not scanner_configured():
            messages.warning(
                request,
                _(
                    "Not scanned: no virus scanner configured. Set CLAMD_SOCKET or CLAMD_HOST "
                    "so that uploaded files are scanned with ClamAV."
                ),
            )
        return super().changelist_view(request, extra_context)


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


@admin.register(Attachment)
class AttachmentAdmin(ScannerNotice, ReadOnlyAdmin):
    list_display = ["name", "dossier", "content_type", "size", "scan_status", "uploaded_at"]
    list_filter = ["scan_status", "content_type"]
    search_fields = ["dossier__code", "name", "sha256"]
    list_select_related = ["dossier"]


@admin.register(OfficerFile)
class OfficerFileAdmin(ScannerNotice, ReadOnlyAdmin):
    list_display = ["name", "dossier", "kind", "agency", "uploaded_by", "size", "scan_status", "uploaded_at"]
    list_filter = ["kind", "scan_status"]
    search_fields = ["dossier__code", "name", "sha256"]
    list_select_related = ["dossier", "agency", "uploaded_by"]


@admin.register(StoredDocument)
class StoredDocumentAdmin(ScannerNotice, ReadOnlyAdmin):
    list_display = ["owner", "document_type", "name", "size", "scan_status", "created_at"]
    list_filter = ["scan_status", "source"]
    search_fields = ["owner__email", "document_type", "name"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "round", "requested_at", "answered_at"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", *Rating.CRITERIA, "created_at"]


ACCESS_HEADERS = ["Thời điểm", "Cán bộ", "Vai trò", "Cơ quan", "Nội dung xem", "Tệp", "Mã hồ sơ"]


def access_rows(queryset):
    """The access log as spreadsheet rows (an auditor's export; no personal numbers in it)."""
    for access in queryset.select_related("staff", "agency", "dossier", "attachment").iterator(chunk_size=2000):
        yield [
            timezone.localtime(access.at).strftime("%d/%m/%Y %H:%M:%S"),
            access.staff.full_name or access.staff.get_username(),
            access.get_role_display(),
            access.agency.name if access.agency_id else "",
            access.get_what_display(),
            access.attachment.name if access.attachment_id else "",
            access.dossier.code or "",
        ]


@admin.register(DossierAccess)
class DossierAccessAdmin(ReadOnlyAdmin):
    """The access log for auditors (any staff user given the "view dossier access" permission):
    filter by period, agency, role or officer, then export the selection as CSV or XLSX."""

    list_display = ["at", "staff", "role", "agency", "what", "dossier"]
    list_filter = ["what", "role", "agency"]
    date_hierarchy = "at"
    search_fields = ["dossier__code", "staff__full_name", "staff__email"]
    list_select_related = ["staff", "agency", "dossier"]
    actions = ["export_csv", "export_xlsx"]
    show_full_result_count = False

    def _export(self, queryset, fmt):
        return spreadsheet_response(
            name=f"nhat-ky-truy-cap-{timezone.localdate():%Y%m%d}",
            fmt=fmt,
            headers=ACCESS_HEADERS,
            rows=access_rows(queryset.order_by("at", "pk")),
            sheet="Nhật ký truy cập",
        )

    @admin.action(description=_("Export the selected reads (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description=_("Export the selected reads (XLSX)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(queryset, "xlsx")
