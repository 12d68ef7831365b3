from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ArchivePackage
from .services import package_verify


@admin.register(ArchivePackage)
class ArchivePackageAdmin(admin.ModelAdmin):
    list_display = ("dossier", "state", "size", "built_at", "retention_until", "attempts")
    list_filter = ("state",)
    search_fields = ("dossier__code", "sha256")
    list_select_related = ("dossier",)
    readonly_fields = [f.name for f in ArchivePackage._meta.fields]
    actions = ["verify"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Verify the selected packages"), permissions=["view"])
    def verify(self, request, queryset):
        failed = 0
        for package in queryset.select_related("dossier"):
            result = package_verify(package=package)
            if not result.ok:
                failed += 1
                self.message_user(request, f"{result.code}: {'; '.join(result.problems)}", messages.ERROR)
        checked = queryset.count()
        if not failed:
            self.message_user(
                request,
                ngettext("%(count)d package verified: intact.", "%(count)d packages verified: intact.", checked)
                % {"count": checked},
                messages.SUCCESS,
            )
