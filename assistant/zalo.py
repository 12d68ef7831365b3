"""The assistant on the Zalo Official Account: the OA's signed webhook, answers sent back through
the OA's send API (portal.channels.zalo_oa_send) after commit, and the built-in sandbox of that API.

Zalo signs each event with ``X-ZEvent-Signature: mac=<hex SHA-256 of app_id + body + timestamp +
OA secret key>`` (the body as sent, the timestamp read from it, in milliseconds). A bad or missing
mac, another app's id or a stale timestamp is refused (403, logged); a msg_id seen before is
answered once (Zalo re-sends an event its webhook did not acknowledge in 2 seconds).
"""

import hashlib
import hmac
import json
import logging
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.channels import ChannelError, zalo_oa_send
from portal.outbox import outbox_write
from procedures.search import normalize_search

from .models import AssistantTurn, Conversation, ZaloMessage, ZaloSandboxMessage
from .services import ask, question_ask

logger = logging.getLogger("assistant.zalo")
ZALO_REPLY_TOPIC = "assistant.zalo_reply"
TEXT_EVENT = "user_send_text"
MAX_REPLY = 2000  # Zalo's limit on a consultation text


class ZaloRejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def zalo_mac(body: bytes, timestamp: str) -> str:
    """The mac Zalo puts in X-ZEvent-Signature for this body (sandbox, tests, make run)."""
    data = settings.ZALO_OA_APP_ID.encode() + body + str(timestamp).encode() + settings.ZALO_OA_SECRET.encode()
    return hashlib.sha256(data).hexdigest()


def _signature_valid(body: bytes, timestamp: str, header: str) -> bool:
    given = (header or "").strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    return hmac.compare_digest(given.strip().lower().encode(), zalo_mac(body, timestamp).encode())


def _conversation_of(zalo_user_id: str) -> Conversation:
    conversation = Conversation.objects.filter(zalo_user_id=zalo_user_id).order_by("-created_at").first()
    return conversation or Conversation.objects.create(zalo_user_id=zalo_user_id, language="vi")


def _reply_text(result: dict) -> str:
    lines = [result["answer"]]
    for procedure in result["procedures"]:
        lines.append(f"- {procedure['name']}: {settings.PORTAL_BASE_URL}{procedure['url']}")
    return "\n".join(lines)[:MAX_REPLY]


ASK_OFFICER = frozenset({"hoi can bo", "hoi can bo a", "hoi can bo nhe", "ask an officer"})


def _ask_officer(message: ZaloMessage) -> str:
    """The user answered "hỏi cán bộ": their last declined question goes to the officers' queue."""
    turn = AssistantTurn.objects.filter(conversation_id=message.conversation_id, handoff=True).order_by("-pk").first()
    if turn is None:
        return _("Please type your question first; if I cannot answer it, send “hỏi cán bộ”.")
    question_ask(
        text=turn.question, zalo_user_id=message.zalo_user_id, conversation_id=turn.conversation_id, turn_id=turn.pk
    )
    return _("Your question is with the officers. They will answer you here on Zalo.")


def zalo_event_handle(*, body: bytes, signature: str) -> str:
    """Check one webhook event and answer a user's text: "answered", "duplicate" or "ignored"."""
    try:
        event = json.loads(body)
        timestamp = str(event["timestamp"])
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("zalo webhook: unreadable event refused")
        raise ZaloRejected(400, "malformed event") from error
    if not _signature_valid(body, timestamp, signature):
        logger.warning("zalo webhook with an invalid signature refused")
        raise ZaloRejected(403, "invalid signature")
    if str(event.get("app_id", "")) != settings.ZALO_OA_APP_ID:
        logger.warning("zalo webhook for another app id refused")
        raise ZaloRejected(403, "unknown app")
    try:
        age = abs(time.time() - int(timestamp) / 1000)
    except ValueError as error:
        raise ZaloRejected(400, "malformed timestamp") from error
    if age > settings.ZALO_OA_MAX_AGE:
        logger.warning("zalo webhook with a stale timestamp refused (%.0f s)", age)
        raise ZaloRejected(403, "stale timestamp")
    if event.get("event_name") != TEXT_EVENT:
        return "ignored"
    try:
        user_id = str(event["sender"]["id"])[:64]
        msg_id = str(event["message"]["msg_id"])[:100]
        text = event["message"]["text"]
    except (KeyError, TypeError) as error:
        raise ZaloRejected(400, "malformed message") from error
    if not user_id or not msg_id:
        raise ZaloRejected(400, "malformed message")
    if ZaloMessage.objects.filter(msg_id=msg_id).exists():
        logger.info("zalo message %s replayed: answered once", msg_id)
        return "duplicate"
    try:
        with transaction.atomic():
            # The row first: a concurrent replay waits on its unique msg_id, then is a duplicate.
            message = ZaloMessage.objects.create(
                msg_id=msg_id, zalo_user_id=user_id, conversation=_conversation_of(user_id), text=str(text)[:2000]
            )
            with translation.override("vi"):
                try:
                    if isinstance(text, str) and normalize_search(text).strip(" .!") in ASK_OFFICER:
                        message.answer = _ask_officer(message)
                    else:
                        result = ask(message=text, conversation_id=message.conversation_id, language="vi")
                        message.answer = _reply_text(result)
                        if result["handoff"]:
                            message.answer += "\n" + _("Send “hỏi cán bộ” and an officer will answer you here.")
                except ValidationError as error:
                    message.answer = " ".join(error.messages)[:MAX_REPLY]
            message.save(update_fields=["answer"])
            outbox_write(ZALO_REPLY_TOPIC, {"message_id": message.pk})
    except IntegrityError:
        return "duplicate"
    return "answered"


def zalo_answer_question(*, question) -> None:
    """An officer's answer to a question asked on Zalo, sent to that user like a reply (once)."""
    conversation = question.conversation or _conversation_of(question.contact_zalo_user_id)
    with translation.override(question.language):
        text = _("An officer answered your question “%(question)s”:") % {"question": question.text[:200]}
    message, _created = ZaloMessage.objects.get_or_create(
        msg_id=f"question-{question.pk}",  # our own key: the same answer never goes twice
        defaults={
            "zalo_user_id": question.contact_zalo_user_id,
            "conversation": conversation,
            "text": question.text[:2000],
            "answer": f"{text}\n{question.answer}"[:MAX_REPLY],
        },
    )
    if message.sent_at is None:
        from .tasks import send_zalo_reply  # the task module imports this one

        send_zalo_reply.delay(message.pk)


def zalo_reply_enqueue(*, message_id: int) -> None:
    """The outbox handler: the reply goes out in a worker, retried while Zalo cannot be reached."""
    from .tasks import send_zalo_reply  # the task module imports this one

    send_zalo_reply.delay(message_id)


def zalo_reply_send(*, message_id: int) -> str:
    """Send one stored reply through the OA (never twice); ChannelError when Zalo refuses."""
    message = ZaloMessage.objects.filter(pk=message_id).first()
    if message is None or message.sent_at is not None:
        return "done"
    try:
        zalo_oa_send(message.zalo_user_id, message.answer)
    except ChannelError as error:
        ZaloMessage.objects.filter(pk=message_id).update(attempts=message.attempts + 1, last_error=str(error)[:500])
        logger.warning("zalo reply %s failed: %s", message_id, error)
        raise
    ZaloMessage.objects.filter(pk=message_id).update(attempts=message.attempts + 1, sent_at=timezone.now())
    return "sent"


# --- Views -------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request):
    """Zalo's event webhook (configured on the OA's developer page)."""
    if not settings.ZALO_OA_ENABLED:
        raise Http404
    try:
        status = zalo_event_handle(body=request.body, signature=request.headers.get("X-ZEvent-Signature", ""))
    except ZaloRejected as rejected:
        return JsonResponse({"error": str(rejected)}, status=rejected.status)
    return JsonResponse({"status": status})


def _sandbox_on():
    if not settings.ZALO_OA_SANDBOX_ENABLED:
        raise Http404


def sandbox_root(request):
    """What the sandbox OA has sent, newest last (make run: see the assistant's Zalo replies)."""
    _sandbox_on()
    sent = ZaloSandboxMessage.objects.order_by("-pk")[:50]
    return JsonResponse(
        {
            "service": "zalo oa sandbox",
            "send": request.build_absolute_uri("v3.0/oa/message/cs"),
            "sent": [{"user_id": m.user_id, "text": m.text, "message_id": m.message_id} for m in reversed(sent)],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def sandbox_send(request):
    """The sandbox of Zalo's POST /v3.0/oa/message/cs: an access_token header, a user id, a text."""
    _sandbox_on()
    if not hmac.compare_digest(
        request.headers.get("access_token", "").encode(), settings.ZALO_OA_ACCESS_TOKEN.encode()
    ):
        return JsonResponse({"error": -216, "message": "Access token is invalid"})
    try:
        body = json.loads(request.body)
        user_id = str(body["recipient"]["user_id"]).strip()
        text = body["message"]["text"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": -201, "message": "Parameters are invalid"})
    if not user_id or not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY:
        return JsonResponse({"error": -201, "message": "Parameters are invalid"})
    sent = ZaloSandboxMessage.objects.create(user_id=user_id[:64], text=text, message_id=secrets.token_hex(16))
    return JsonResponse({"error": 0, "message": "Success", "data": {"message_id": sent.message_id, "user_id": user_id}})
