from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import AgencyMembership, User


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
