"""Queue tickets ("số thứ tự") at an agency's one-stop desk.

A CounterGroup is one queue with its letter (A, B...); a Counter ("quầy") calls from one or more
groups. A Ticket is numbered per group per day (A-012) from a TicketSequence row locked while the
number is taken; the unique constraint on (agency, day, label) is the second line of defence.
A ticket moved to another group keeps its label and its issue time, hence its place.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from procedures.models import Agency, Field, Procedure


class TicketKind(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    APPOINTMENT = "appointment", _("Appointment")


class TicketState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    TRANSFERRED = "transferred", _("Transferred, waiting")


# A transferred ticket waits in its new group like any other.
CALLABLE = (TicketState.WAITING, TicketState.TRANSFERRED)
AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)


class CounterGroup(models.Model):
    """One queue of an agency's desk (e.g. "A – Civil status"), with the procedures it serves."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    letter = models.CharField(_("letter"), max_length=2, help_text=_("Printed before the number, e.g. A-012."))
    procedures = models.ManyToManyField(Procedure, verbose_name=_("procedures"), blank=True, related_name="+")
    fields = models.ManyToManyField(Field, verbose_name=_("fields"), blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter group")
        verbose_name_plural = _("counter groups")
        ordering = ["agency", "position", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="counter_group_code_unique"),
            models.UniqueConstraint(fields=["agency", "letter"], name="counter_group_letter_unique"),
        ]

    def __str__(self):
        return f"{self.letter} – {self.name}"

    def clean(self):
        if self.letter and not (self.letter.isascii() and self.letter.isalpha()):
            raise ValidationError({"letter": _("Use one or two Latin letters.")})
        self.letter = (self.letter or "").upper()


class Counter(models.Model):
    """A counter ("quầy") at an agency's desk, calling from one or more groups."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("Blank: “Counter <number>”."))
    groups = models.ManyToManyField(CounterGroup, verbose_name=_("groups"), related_name="counters")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["agency", "number"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="counter_number_unique")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name or _("Counter %(number)s") % {"number": self.number}


class TicketSequence(models.Model):
    """The last number issued in a group on a day; locked while the next one is taken."""

    group = models.ForeignKey(CounterGroup, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="ticket_sequence_unique")]


class Ticket(models.Model):
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(CounterGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("ticket number"), max_length=12)
    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices, default=TicketKind.WALK_IN)
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
    )
    # For an appointment: its start, from when it goes before the walk-ins.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=TicketState.choices, default=TicketState.WAITING)
    issued_at = models.DateTimeField(_("issued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recall_count = models.PositiveSmallIntegerField(_("times called again"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("times transferred"), default=0)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["day", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "label"], name="ticket_label_unique"),
        ]
        indexes = [
            models.Index(fields=["group", "day", "state"], name="ticket_queue"),
            models.Index(fields=["agency", "day", "announced_at"], name="ticket_display"),
        ]

    def __str__(self):
        return self.label
