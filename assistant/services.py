"""The assistant's use case: answer a message in a conversation and record the turn."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from procedures.models import Procedure

from .answerer import Context, get_answerer
from .models import AssistantTurn, Conversation

MAX_MESSAGE = 2000


def clean_message(message) -> str:
    """The message, or ValidationError with a clear reason: empty, too long, control characters."""
    if not isinstance(message, str) or not message.strip():
        raise ValidationError({"message": _("Please type a question.")})
    if len(message) > MAX_MESSAGE:
        raise ValidationError({"message": _("The question is too long (at most 2,000 characters).")})
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in message):
        raise ValidationError({"message": _("The question contains characters that are not text.")})
    return message.strip()


def ask(*, message, conversation_id=None, language: str = "vi") -> dict:
    """Answer `message` (in the conversation given, or a new one) and store the turn."""
    text = clean_message(message)
    conversation = None
    if conversation_id:
        conversation = Conversation.objects.filter(pk=conversation_id).select_related("last_procedure").first()
        if conversation is None:
            raise ValidationError({"conversation": _("This conversation does not exist.")})
    language = "en" if (language or "").startswith("en") else "vi"
    context = Context(
        last_procedure_code=conversation.last_procedure.code if conversation and conversation.last_procedure else "",
        language=language,
    )
    with translation.override(language):
        answer = get_answerer().answer(text, context=context)
        procedures = [
            {
                "code": v.procedure.code,
                "name": v.display_name,
                "url": reverse("procedures:detail", args=[v.procedure.code]),
            }
            for v in answer.procedures
        ]
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(language=language)
        if answer.procedures:
            conversation.last_procedure = Procedure.objects.get(pk=answer.procedures[0].procedure_id)
            conversation.language = language
            conversation.save(update_fields=["last_procedure", "language"])
        turn = AssistantTurn.objects.create(
            conversation=conversation,
            question=text,
            answer=answer.text,
            procedures=[p["code"] for p in procedures],
            handoff=answer.handoff,
        )
    return {
        "conversation": str(conversation.pk),
        "turn": turn.pk,
        "answer": answer.text,
        "procedures": procedures,
        "handoff": answer.handoff,
    }


def rate_turn(*, conversation_id, turn_id, helpful: bool) -> AssistantTurn:
    """Thumbs up or down on an answer, by whoever holds its conversation's id (changeable)."""
    turn = AssistantTurn.objects.filter(pk=turn_id, conversation_id=conversation_id).first()
    if turn is None:
        raise ValidationError({"turn": _("This answer does not exist.")})
    turn.thumbs_up = bool(helpful)
    turn.save(update_fields=["thumbs_up"])
    return turn
