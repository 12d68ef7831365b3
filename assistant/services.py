"""The assistant's use cases: answer a message in a conversation and record the turn; a question
handed to an officer, its answer and its FAQ entry."""

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.constants import StaffRole
from portal.memberships import memberships
from portal.notifications import Recipient, notify
from portal.outbox import outbox_write
from portal.validators import normalize_phone, validate_phone
from procedures.models import Procedure
from procedures.selectors import published_versions

from .answerer import Context, get_answerer
from .models import AssistantTurn, CitizenQuestion, Conversation, FaqEntry, QuestionState

logger = logging.getLogger("assistant")
QUESTION_TOPIC = "assistant.question_answered"  # outbox topic: deliver an officer's answer
ANSWERING_ROLES = frozenset({StaffRole.RECEPTIONIST, StaffRole.LEADER})

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


# --- Questions to an officer ("hỏi cán bộ") ---------------------------------------------------

MAX_ANSWER = 5000
QUESTION_ANSWERED = "question_answered"  # the notification event (templates/notifications/)


def _question_agency(conversation):
    """The agency of the conversation's last procedure, when the assistant knew it."""
    if conversation is None or conversation.last_procedure_id is None:
        return None
    version = published_versions().filter(procedure_id=conversation.last_procedure_id).first()
    return version.agency if version else None


def question_ask(
    *,
    text,
    user=None,
    email: str = "",
    phone: str = "",
    zalo_user_id: str = "",
    conversation_id=None,
    turn_id=None,
    language: str = "vi",
) -> CitizenQuestion:
    """Put a question the assistant could not answer in the officers' queue."""
    text = clean_message(text)
    conversation = turn = None
    if conversation_id:
        conversation = Conversation.objects.filter(pk=conversation_id).first()
        if conversation is None:
            raise ValidationError({"conversation": _("This conversation does not exist.")})
    if turn_id:
        turn = AssistantTurn.objects.filter(pk=turn_id, conversation=conversation).first() if conversation else None
        if turn is None:
            raise ValidationError({"turn": _("This answer does not exist.")})
    signed_in = bool(user is not None and user.is_authenticated)
    email = (email or "").strip()
    phone = normalize_phone(phone or "") if (phone or "").strip() else ""
    if not signed_in and not zalo_user_id:
        if not email and not phone:
            raise ValidationError({"email": _("Give an email address or a phone number for the answer.")})
        errors = {}
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Enter a valid email address.")
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as error:
                errors["phone"] = error.messages
        if errors:
            raise ValidationError(errors)
    question = CitizenQuestion.objects.create(
        conversation=conversation,
        turn=turn,
        text=text,
        language="en" if (language or "").startswith("en") else "vi",
        asker=user if signed_in else None,
        contact_email="" if signed_in else email,
        contact_phone="" if signed_in else phone,
        contact_zalo_user_id="" if signed_in else zalo_user_id[:64],
        agency=_question_agency(conversation),
        procedure_id=conversation.last_procedure_id if conversation else None,
    )
    logger.info("citizen question %s asked (agency=%s)", question.pk, question.agency_id)
    return question


def question_can_answer(user, question: CitizenQuestion) -> bool:
    """Desk officers and leaders of the question's agency; any member of staff when it has none."""
    roles = memberships(user)
    if question.agency_id is None:
        return bool(roles)
    return any(agency == question.agency_id and role in ANSWERING_ROLES for agency, role in roles)


def question_save_as_faq(*, question: CitizenQuestion) -> FaqEntry:
    """Keep an answered question as an FAQ entry, so the assistant answers it from now on."""
    if not question.answer:
        raise ValidationError({"answer": _("Answer the question before saving it as an FAQ entry.")})
    if question.faq_id:
        return question.faq
    faq = FaqEntry.objects.create(question=question.text[:500], answer=question.answer, procedure=question.procedure)
    question.faq = faq
    question.save(update_fields=["faq"])
    return faq


def question_answer(*, question_id: int, staff, answer, save_as_faq: bool = False) -> CitizenQuestion:
    """Answer a citizen's question; the answer reaches them after commit (inbox, email, SMS)."""
    answer = (answer or "").strip() if isinstance(answer, str) else ""
    if not answer:
        raise ValidationError({"answer": _("Please type an answer.")})
    if len(answer) > MAX_ANSWER:
        raise ValidationError({"answer": _("The answer is too long (at most 5,000 characters).")})
    with transaction.atomic():
        question = CitizenQuestion.objects.select_for_update().filter(pk=question_id).first()
        if question is None or not question_can_answer(staff, question):
            raise CitizenQuestion.DoesNotExist
        if question.state != QuestionState.OPEN:
            raise ValidationError({"answer": _("This question has already been answered.")})
        question.answer = answer
        question.state = QuestionState.ANSWERED
        question.answered_by = staff
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "state", "answered_by", "answered_at"])
        if save_as_faq:
            question_save_as_faq(question=question)
        outbox_write(QUESTION_TOPIC, {"question_id": question.pk})
    logger.info("citizen question %s answered by user %s", question.pk, staff.pk)
    return question


def question_answer_deliver(*, question_id: int) -> None:
    """The outbox handler: the answer to the asker's inbox and channels, or their email / phone."""
    question = CitizenQuestion.objects.select_related("asker").filter(pk=question_id).first()
    if question is None or question.state != QuestionState.ANSWERED:
        return
    if question.contact_zalo_user_id:
        # Asked on the Zalo OA: answered there, through the same reply path as the assistant's.
        from .zalo import zalo_answer_question  # zalo imports this module

        zalo_answer_question(question=question)
        return
    if question.asker_id:
        recipient = Recipient(user=question.asker, language=question.language)
    else:
        recipient = Recipient(
            email=question.contact_email, phone=question.contact_phone, language=question.language, direct=True
        )
    notify(
        key=f"assistant-question:{question.pk}",  # once, however often the row is handled
        event=QUESTION_ANSWERED,
        recipient=recipient,
        context={"question": question.text, "answer": question.answer},
    )
