from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import AgencyMembership, DeliveryStatus, Notification, NotificationTemplate, OutboxMessage, User


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 1
    autocomplete_fields = ["agency"]


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "phone", "full_name"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a mobile number to sign in with."))
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    inlines = [MembershipInline]
    list_display = ["full_name", "email", "phone", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["full_name", "email", "phone", "personal_id"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "password"]}),
        (_("Personal details"), {"fields": ["full_name", "personal_id", "date_of_birth", "address"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "phone", "full_name", "usable_password", "password1", "password2"]}),
    ]


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """Admins edit the texts; a template with a syntax error is refused (model clean)."""

    list_display = ["event", "channel", "language", "subject"]
    list_filter = ["channel", "language", "event"]


@admin.action(description=_("Send the selected failed notifications again"))
def resend_notifications(modeladmin, request, queryset):
    from .tasks import send_notification

    failed = list(queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
    queryset.filter(pk__in=failed).update(status=DeliveryStatus.PENDING, attempts=0)
    for pk in failed:
        send_notification.delay(pk)
    modeladmin.message_user(request, _("%(count)d notification(s) queued again.") % {"count": len(failed)})


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "address", "recipient", "event", "dossier_code", "status", "attempts"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["dossier_code", "address", "recipient__email"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = [resend_notifications]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "topic", "created_at", "published_at", "attempts", "last_error"]
    list_filter = ["topic", ("published_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["topic", "payload", "created_at", "published_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
