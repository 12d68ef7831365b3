"""The tables indicators are computed from besides the dossiers: a working-day calendar in SQL
and a nightly snapshot of each day's counts (today's figures are always computed live)."""

from django.db import models


class WorkingDay(models.Model):
    """Every calendar date with the number of working days since the epoch up to and including it.

    Working days taken between two dates is then one subtraction in SQL:
    `ordinal(end) - ordinal(start)` counts the working days after `start` up to and including
    `end`, exactly as `WorkingCalendar.working_days_between` does. Filled from WorkingCalendar
    (holidays.VN and the admin's overrides) by `indicators.calendar_table.ensure_calendar`.
    """

    date = models.DateField(primary_key=True)
    ordinal = models.PositiveIntegerField()
    is_working_day = models.BooleanField()

    def __str__(self):
        return f"{self.date}: {self.ordinal}"


class CalendarTableState(models.Model):
    """Which span the calendar table covers and from which overrides it was built (one row)."""

    start = models.DateField()
    end = models.DateField()
    fingerprint = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)


class DailyCounts(models.Model):
    """One day's indicator counts for one competent agency and one procedure.

    Counts about reception are attributed to the day a dossier was received, counts about its
    end to the day it ended (see indicators.definitions for each definition). Every column is
    additive, so a period's figures are one SUM over these rows.
    """

    day = models.DateField()
    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    paid = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    digitized = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)
    ended_on_time = models.PositiveIntegerField(default=0)
    ended_late = models.PositiveIntegerField(default=0)
    working_days = models.PositiveIntegerField(default=0)
    with_result = models.PositiveIntegerField(default=0)
    electronic_result = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    disliked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency", "procedure"], name="daily_counts_once")]
        indexes = [models.Index(fields=["day", "agency"], name="daily_counts_day_idx")]


class SnapshotState(models.Model):
    """Which days the snapshot holds: [since, through] are read from DailyCounts (one row)."""

    since = models.DateField()
    through = models.DateField()
    refreshed_at = models.DateTimeField(auto_now=True)
