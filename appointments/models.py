"""Desk appointments: an agency's desk schedule, its blackout days and the booked appointments.

A slot holds `capacity` seats; every live (not cancelled) appointment takes one seat number, and
the unique constraint on (agency, start, seat_number) makes a double booking of a seat impossible
even if the lock in services.appointment_book were bypassed.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Procedure


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    KEPT = "kept", _("Kept")
    NO_SHOW = "no_show", _("No-show")


class DeskSchedule(models.Model):
    """How an agency's desk takes appointments; opening/closing blank = OFFICE_OPENS_AT/CLOSES_AT."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="desk_schedule"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    capacity = models.PositiveSmallIntegerField(_("appointments per slot"), default=2)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    lunch_starts_at = models.TimeField(_("lunch break from"), default="11:30")
    lunch_ends_at = models.TimeField(_("lunch break until"), default="13:30")
    is_active = models.BooleanField(_("takes appointments"), default=True)

    class Meta:
        verbose_name = _("desk schedule")
        verbose_name_plural = _("desk schedules")

    def __str__(self):
        return str(self.agency)

    def clean(self):
        if self.slot_minutes < 5 or self.slot_minutes > 240:
            raise ValidationError({"slot_minutes": _("A slot lasts between 5 and 240 minutes.")})
        if self.capacity < 1:
            raise ValidationError({"capacity": _("A slot takes at least one appointment.")})
        if self.lunch_ends_at and self.lunch_starts_at and self.lunch_ends_at < self.lunch_starts_at:
            raise ValidationError({"lunch_ends_at": _("The lunch break ends after it starts.")})


class BlackoutDay(models.Model):
    """A working day on which an agency's desk takes no appointments (training, moving...)."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("blackout day")
        verbose_name_plural = _("blackout days")
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="blackout_day_unique")]

    def __str__(self):
        return f"{self.agency.code} {self.date}"


class ProcedureGroupQuota(models.Model):
    """At most `capacity` appointments per slot for a group of procedures (say, the land
    procedures only one officer at the desk handles), within the slot's own capacity."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("group name"), max_length=120)
    procedures = models.ManyToManyField(Procedure, verbose_name=_("procedures"), related_name="+")
    capacity = models.PositiveSmallIntegerField(_("appointments per slot for this group"), default=1)

    class Meta:
        verbose_name = _("procedure group quota")
        verbose_name_plural = _("procedure group quotas")

    def __str__(self):
        return f"{self.agency.code}: {self.name}"

    def clean(self):
        if self.capacity < 1:
            raise ValidationError({"capacity": _("A slot takes at least one appointment.")})


def _public_code() -> str:
    return "LH" + secrets.token_hex(5).upper()


class Appointment(models.Model):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="appointments"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    seat_number = models.PositiveSmallIntegerField(_("seat"))
    status = models.CharField(
        _("status"), max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    code = models.CharField(_("appointment code"), max_length=16, unique=True, default=_public_code)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "seat_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "start", "seat_number"],
                condition=~Q(status="cancelled"),
                name="appointment_seat_unique",
            ),
            models.UniqueConstraint(
                fields=["citizen", "start"], condition=~Q(status="cancelled"), name="appointment_citizen_time_unique"
            ),
        ]
        indexes = [models.Index(fields=["agency", "start"], name="appointment_agency_start")]

    def __str__(self):
        return self.code
