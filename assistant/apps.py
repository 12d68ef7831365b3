from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.notification_prefs import notification_topic_register
from portal.outbox_handlers import outbox_handler_register


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = _("Catalogue assistant")

    def ready(self):
        # The services and the Zalo adapter read the models: imported once the registry is ready.
        from .services import QUESTION_ANSWERED, QUESTION_TOPIC, question_answer_deliver
        from .zalo import ZALO_REPLY_TOPIC, zalo_reply_enqueue

        outbox_handler_register(QUESTION_TOPIC, question_answer_deliver)
        outbox_handler_register(ZALO_REPLY_TOPIC, zalo_reply_enqueue)
        notification_topic_register("assistant", _("Answers to your questions"), events=[QUESTION_ANSWERED])
