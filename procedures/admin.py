from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.constants import ScanStatus
from portal.uploads import check_upload

from . import services
from .constants import VersionStatus
from .models import (
    Agency,
    CalendarOverride,
    DocumentRequirement,
    FeeRule,
    Field,
    Procedure,
    ProcedureVersion,
    SearchSynonym,
    StepTemplate,
)
from .widgets import FormSchemaWidget


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "level", "parent", "is_active"]}),
        (_("One-stop desk"), {"fields": ["address", "opening_hours", "hotline", "email", "postal_fee_vnd"]}),
    ]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


class VersionChildInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class DocumentRequirementForm(forms.ModelForm):
    class Meta:
        model = DocumentRequirement
        fields = ["position", "name", "name_en", "originals", "copies", "required", "template"]

    def clean_template(self):
        """A blank form citizens download passes the same checks as their uploads, virus scan
        included; public files cannot wait unopened for the worker, so no answer is a refusal."""
        template = self.cleaned_data.get("template")
        if isinstance(template, UploadedFile):
            if check_upload(template).scan_status == ScanStatus.PENDING:
                raise ValidationError(_("The virus scanner did not answer; upload the form again in a few minutes."))
        return template


class DocumentInline(VersionChildInline):
    model = DocumentRequirement
    form = DocumentRequirementForm
    fields = ["position", "name", "name_en", "originals", "copies", "required", "template"]


class FeeInline(VersionChildInline):
    model = FeeRule
    fields = ["position", "name", "unit", "amount", "online_amount", "tier_after", "tier_amount", "cap"]


class StepInline(VersionChildInline):
    model = StepTemplate
    fields = ["position", "name", "name_en", "role", "working_days"]


def _run_service(modeladmin, request, queryset, service, done_message):
    """Apply a service to each selected version, reporting each refusal in the clerk's words."""
    done = 0
    for version in queryset:
        try:
            service(version=version)
            done += 1
        except ValidationError as error:
            for message in error.messages:
                modeladmin.message_user(request, f"{version}: {message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Publish the selected drafts (archives the version they replace)"))
def publish_versions(modeladmin, request, queryset):
    _run_service(
        modeladmin, request, queryset, services.procedure_version_publish, _("Published %(count)d version(s).")
    )


@admin.action(description=_("Archive the selected published versions (withdraws them from the catalogue)"))
def archive_versions(modeladmin, request, queryset):
    _run_service(modeladmin, request, queryset, services.procedure_version_archive, _("Archived %(count)d version(s)."))


class ProcedureVersionForm(forms.ModelForm):
    """The application form is edited as rows (procedures/widgets.py) over the validated JSON."""

    class Meta:
        model = ProcedureVersion
        fields = ["form_schema"]  # the admin adds the fieldsets' other fields
        widgets = {"form_schema": FormSchemaWidget}
        error_messages = {
            "form_schema": {
                "invalid": _(
                    "The application form is not valid JSON (a missing comma, quote or bracket?): "
                    "correct it, or use the rows editor."
                )
            }
        }
        help_texts = {"form_schema": _("The fields citizens fill in; the format and an example are below.")}


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    # Save first in the form: Enter in a field saves (the form's default button), never previews.
    save_on_top = True
    list_display = ["procedure", "number", "name", "status", "processing_days", "service_level", "published_at"]
    list_filter = ["status", "service_level", "level", "result_type", "field", "agency"]
    search_fields = ["procedure__code", "name", "search_text"]
    list_select_related = ["procedure"]
    autocomplete_fields = ["procedure", "field", "agency"]
    readonly_fields = ["number", "status", "published_at", "archived_at"]
    inlines = [DocumentInline, FeeInline, StepInline]
    actions = [publish_versions, archive_versions]
    fieldsets = [
        (None, {"fields": ["procedure", "number", "status", "name", "name_en", "description"]}),
        (_("Who and where"), {"fields": ["agency", "field", "level", "cross_boundary"]}),
        (_("Service"), {"fields": ["service_level", "partial_reason", "processing_days", "result_type"]}),
        (_("Records"), {"fields": ["retention_years", "retention_permanent"]}),
        (_("Application form, result and legal basis"), {"fields": ["form_schema", "result_template", "legal_basis"]}),
        (_("Lifecycle"), {"fields": ["published_at", "archived_at"]}),
    ]

    def has_change_permission(self, request, obj=None):
        # Published and archived versions are shown read-only: edit a new draft instead.
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = services.next_version_number(obj.procedure)
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:  # a new version is always a draft numbered after the last one
            form.base_fields.pop("number", None)
        return form


class VersionLinkInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["link", "name", "status", "published_at", "archived_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("Versions")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("version"))
    def link(self, version):
        url = reverse("admin:procedures_procedureversion_change", args=[version.pk])
        return format_html('<a href="{}">v{}</a>', url, version.number)


@admin.action(description=_("Open a draft for editing (copies the newest version)"))
def open_drafts(modeladmin, request, queryset):
    """Each message links to its draft; with one procedure chosen, the draft's page opens."""
    opened = []
    for procedure in queryset:
        try:
            draft = services.procedure_draft_create(procedure=procedure)
        except ValidationError as error:
            modeladmin.message_user(request, f"{procedure}: {' '.join(error.messages)}", messages.ERROR)
            continue
        url = reverse("admin:procedures_procedureversion_change", args=[draft.pk])
        opened.append(url)
        modeladmin.message_user(
            request,
            format_html(_('{}: draft <a href="{}">v{}</a> is ready to edit.'), procedure, url, draft.number),
            messages.SUCCESS,
        )
    if len(opened) == 1 and len(queryset) == 1:
        return HttpResponseRedirect(opened[0])
    return None


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "published_name", "created_at"]
    search_fields = ["code", "versions__name"]
    inlines = [VersionLinkInline]
    actions = [open_drafts]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=_("published as"))
    def published_name(self, procedure):
        published = [v for v in procedure.versions.all() if v.status == VersionStatus.PUBLISHED]
        return f"v{published[0].number} — {published[0].name}" if published else _("(not published)")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """The catalogue search's synonyms: what citizens type, and the catalogue's wording."""

    list_display = ["term", "replacement"]
    search_fields = ["term", "replacement", "search_term"]
