from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import (
    AgencyMembership,
    ApiClient,
    ApiToken,
    ConsentRecord,
    DeliveryStatus,
    Notification,
    NotificationTemplate,
    OutboxMessage,
    PrivacyNotice,
    User,
)

# The admin under the portal's name (Django's defaults say "Django administration").
admin.site.site_header = _("Một Cửa administration")
admin.site.site_title = _("Một Cửa administration")
admin.site.index_title = _("Portal administration")


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


@admin.action(description=_("Reset two-step verification (they set it up again at the next sign-in)"))
def reset_second_factor(modeladmin, request, queryset):
    from .second_factor.services import second_factor_reset

    users = list(queryset)
    for user in users:
        second_factor_reset(user=user)
    modeladmin.message_user(
        request, _("Two-step verification was reset for %(count)d account(s).") % {"count": len(users)}
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    inlines = [MembershipInline]
    readonly_fields = ["password_changed_at"]
    actions = [reset_second_factor]
    list_display = ["full_name", "email", "phone", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["full_name", "email", "phone", "personal_id"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "phone_verified", "password"]}),
        (
            _("Personal details"),
            {"fields": ["full_name", "personal_id", "personal_id_verified", "date_of_birth", "address"]},
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "password_changed_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "phone", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "channel", "language", "subject", "body"]

    def __init__(self, *args, **kwargs):
        from .message_templates import allowed_placeholders_text

        super().__init__(*args, **kwargs)
        hint = _("Plain text with placeholders only (no tags, filters or dots): %(allowed)s.") % {
            "allowed": allowed_placeholders_text()
        }
        for name in ("subject", "body"):
            self.fields[name].help_text = hint


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """Admins edit the texts; anything but a known placeholder is refused (model clean)."""

    form = NotificationTemplateForm
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


class ApiTokenInline(admin.TabularInline):
    """Tokens are shown by their first characters only: the full value is shown once, when made."""

    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _show_token(modeladmin, request, client):
    from django.contrib import messages

    _token, raw = client.issue_token()
    modeladmin.message_user(
        request,
        _("New token for %(client)s (copy it now, it is not shown again): %(token)s")
        % {"client": client.name, "token": raw},
        level=messages.WARNING,
    )


@admin.action(description=_("Create a new token for the selected clients"))
def create_token(modeladmin, request, queryset):
    for client in queryset.filter(is_active=True):
        _show_token(modeladmin, request, client)


@admin.action(description=_("Revoke the selected clients and all their tokens"))
def revoke_clients(modeladmin, request, queryset):
    for client in queryset:
        client.revoke()
    modeladmin.message_user(request, _("%(count)d client(s) revoked.") % {"count": queryset.count()})


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Integrators: each acts as one user, optionally only for some agencies; a token is made on creation."""

    list_display = ["name", "user", "is_active", "throttle_rate", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["created_at", "last_used_at", "revoked_at"]
    inlines = [ApiTokenInline]
    actions = [create_token, revoke_clients]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            _show_token(self, request, obj)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """A new version (a higher number) makes every citizen accept it again at their next page."""

    list_display = ["version", "published_at"]
    ordering = ["-version"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "accepted_at", "channel", "ip"]
    list_filter = ["version", "channel"]
    search_fields = ["user__email", "user__phone", "user__full_name"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False  # evidence: never edited

    def has_add_permission(self, request):
        return False
