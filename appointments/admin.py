from django.contrib import admin

from .models import Appointment, BlackoutDay, DeskSchedule, ProcedureGroupQuota


@admin.register(DeskSchedule)
class DeskScheduleAdmin(admin.ModelAdmin):
    list_display = ["agency", "slot_minutes", "capacity", "opens_at", "closes_at", "is_active"]
    autocomplete_fields = ["agency"]


@admin.register(BlackoutDay)
class BlackoutDayAdmin(admin.ModelAdmin):
    list_display = ["agency", "date", "reason"]
    list_filter = ["date"]
    autocomplete_fields = ["agency"]


@admin.register(ProcedureGroupQuota)
class ProcedureGroupQuotaAdmin(admin.ModelAdmin):
    list_display = ["agency", "name", "capacity"]
    autocomplete_fields = ["agency", "procedures"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "agency", "start", "status", "citizen"]
    list_filter = ["status"]
    search_fields = ["code"]
    raw_id_fields = ["citizen"]
    readonly_fields = ["code", "seat_number", "created_at", "updated_at"]
    autocomplete_fields = ["agency", "procedure"]
