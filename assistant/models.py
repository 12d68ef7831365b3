"""The catalogue assistant's data: admin-edited FAQ entries, conversations and their turns."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Procedure

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
