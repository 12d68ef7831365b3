from django.contrib import admin

from .models import Counter, CounterGroup, Ticket


@admin.register(CounterGroup)
class CounterGroupAdmin(admin.ModelAdmin):
    list_display = ["letter", "name", "agency", "code", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "agency__name"]
    autocomplete_fields = ["agency", "procedures"]
    filter_horizontal = ["fields"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "agency", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "agency__name"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["groups"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["label", "agency", "day", "kind", "state", "issued_at", "called_at", "counter"]
    list_filter = ["state", "kind", "day"]
    search_fields = ["label"]
    readonly_fields = [f.name for f in Ticket._meta.fields]

    def has_add_permission(self, request):
        return False
