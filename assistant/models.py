"""The catalogue assistant's data: admin-edited FAQ entries, conversations and their turns."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Procedure

INDEX_CACHE_KEY = "assistant-index"  # the answerer's index of the catalogue and the FAQ


class FaqEntry(models.Model):
    """A question citizens ask and its answer, found by the assistant like a procedure."""

    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("answer"))
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["question"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        from django.core.cache import cache

        super().save(*args, **kwargs)
        cache.delete(INDEX_CACHE_KEY)  # the assistant finds the entry at once

    def delete(self, *args, **kwargs):
        from django.core.cache import cache

        result = super().delete(*args, **kwargs)
        cache.delete(INDEX_CACHE_KEY)
        return result


class Conversation(models.Model):
    """One person's exchange with the assistant; remembers the last procedure for follow-ups."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    last_procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("last procedure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    # A conversation held over the Zalo OA: the Zalo user's id, so their follow-ups continue it.
    zalo_user_id = models.CharField(_("Zalo user id"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.id)


class AssistantTurn(models.Model):
    """A question, the answer given, the procedures offered, and the asker's thumbs."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    procedures = models.JSONField(_("procedures"), default=list, blank=True)
    handoff = models.BooleanField(_("handed off"), default=False)
    thumbs_up = models.BooleanField(_("thumbs up"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assistant turn")
        verbose_name_plural = _("assistant turns")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["handoff", "created_at"])]

    def __str__(self):
        return self.question[:80]


class QuestionState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class CitizenQuestion(models.Model):
    """A question the assistant could not answer, asked of an officer ("hỏi cán bộ")."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    turn = models.ForeignKey(AssistantTurn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("question"))
    language = models.CharField(_("language"), max_length=8, default="vi")
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assistant_questions",
    )
    contact_email = models.EmailField(_("email to answer to"), blank=True)
    contact_phone = models.CharField(_("phone to answer to"), max_length=20, blank=True)
    contact_zalo_user_id = models.CharField(_("Zalo user to answer to"), max_length=64, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=QuestionState.choices, default=QuestionState.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    faq = models.ForeignKey(
        FaqEntry, verbose_name=_("FAQ entry"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen question")
        verbose_name_plural = _("citizen questions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return self.text[:80]


class ZaloMessage(models.Model):
    """A text a Zalo user sent the OA (once per msg_id) and the assistant's reply to it."""

    msg_id = models.CharField(_("Zalo message id"), max_length=100, unique=True)
    zalo_user_id = models.CharField(_("Zalo user id"), max_length=64)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="zalo_messages")
    text = models.TextField(_("message"))
    answer = models.TextField(_("answer"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    sent_at = models.DateTimeField(_("reply sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Zalo message")
        verbose_name_plural = _("Zalo messages")
        ordering = ["-received_at"]

    def __str__(self):
        return self.msg_id


class ZaloSandboxMessage(models.Model):
    """What the built-in Zalo OA sandbox received on its send API (make run, tests)."""

    user_id = models.CharField(max_length=64)
    text = models.TextField()
    message_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.message_id
