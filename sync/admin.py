import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dossiers.constants import EventKind

from . import services
from .models import NATIONAL_TARGET, Delivery, WebhookSubscription


def _https_urls(field, **kwargs):
    """URLs typed without a scheme are https (Django 6's default, chosen now)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookSubscriptionForm(forms.ModelForm):
    event_kinds = forms.MultipleChoiceField(
        label=_("events"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to receive every event."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "is_active", "event_kinds"]
        formfield_callback = _https_urls


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "is_active", "kinds", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]

    @admin.display(description=_("events"))
    def kinds(self, obj):
        if not obj.event_kinds:
            return gettext("All events")
        labels = dict(EventKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.event_kinds)


class TargetFilter(admin.SimpleListFilter):
    title = _("target")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [(NATIONAL_TARGET, _("National public-service portal"))] + [
            (f"sub:{pk}", name) for pk, name in WebhookSubscription.objects.values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(target_key=self.value())
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only (deliveries change only through their services), resendable."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    list_display = [
        "dossier_code",
        "event_kind",
        "target",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", TargetFilter, "event__kind", "created_at"]
    search_fields = ["event__dossier__code", "target_url"]
    search_help_text = _("Search by dossier code or URL.")
    list_select_related = ["event__dossier", "subscription"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "event",
        "target",
        "target_url",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "resent_at",
        "payload",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("sync.change_delivery")

    @admin.display(description=_("dossier"), ordering="event__dossier__code")
    def dossier_code(self, obj):
        return obj.event.dossier.code

    @admin.display(description=_("event"), ordering="event__kind")
    def event_kind(self, obj):
        return obj.event.get_kind_display()

    @admin.display(description=_("target"), ordering="target_key")
    def target(self, obj):
        return obj.target_name

    @admin.display(description=_("what is sent"))
    def payload(self, obj):
        event = obj.event
        return json.dumps(services.payload_for(event, to_national_portal=obj.is_national), ensure_ascii=False, indent=2)

    @admin.action(description=_("Resend the selected deliveries"), permissions=["resend"])
    def resend(self, request, queryset):
        resent = sum(1 for delivery in queryset if services.resend(delivery))
        skipped = queryset.count() - resent
        if resent:
            self.message_user(
                request,
                ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", resent)
                % {"count": resent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery was already delivered and was left alone.",
                    "%(count)d deliveries were already delivered and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
