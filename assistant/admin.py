from django.contrib import admin

from .models import AssistantTurn, CitizenQuestion, Conversation, FaqEntry, ZaloMessage


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "procedure", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["question", "answer"]
    raw_id_fields = ["procedure"]


class TurnInline(admin.TabularInline):
    model = AssistantTurn
    extra = 0
    can_delete = False
    readonly_fields = ["question", "answer", "procedures", "handoff", "thumbs_up", "created_at"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "language", "last_procedure", "created_at"]
    readonly_fields = ["id", "language", "last_procedure", "created_at"]
    inlines = [TurnInline]


@admin.register(AssistantTurn)
class AssistantTurnAdmin(admin.ModelAdmin):
    """Unanswered questions: filter on "handed off"; thumbs: filter on "thumbs up"."""

    list_display = ["question", "handoff", "thumbs_up", "created_at"]
    list_filter = ["handoff", "thumbs_up"]
    search_fields = ["question"]
    readonly_fields = ["conversation", "question", "answer", "procedures", "handoff", "thumbs_up", "created_at"]


@admin.register(CitizenQuestion)
class CitizenQuestionAdmin(admin.ModelAdmin):
    """Officers answer on /can-bo/cau-hoi/ (the service notifies the asker); here admins look."""

    list_display = ["text", "state", "agency", "created_at", "answered_at"]
    list_filter = ["state"]
    search_fields = ["text", "answer"]
    readonly_fields = [f.name for f in CitizenQuestion._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ZaloMessage)
class ZaloMessageAdmin(admin.ModelAdmin):
    list_display = ["msg_id", "zalo_user_id", "received_at", "sent_at", "attempts"]
    search_fields = ["msg_id", "zalo_user_id"]
    readonly_fields = [f.name for f in ZaloMessage._meta.fields]

    def has_add_permission(self, request):
        return False
