"""Reads: people ahead of a ticket, waiting counts, the hall display's feed, waiting and service
times per agency and period (the caller page, the stats page and the indicators dashboard)."""

import math
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus

from .models import AT_COUNTER, CALLABLE, CounterGroup, Ticket, TicketKind, TicketState


def people_ahead(ticket: Ticket) -> int:
    """Tickets of the same group waiting with an earlier issue time (the call order of walk-ins)."""
    if ticket.state not in CALLABLE:
        return 0
    earlier = Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk)
    return Ticket.objects.filter(earlier, group_id=ticket.group_id, day=ticket.day, state__in=CALLABLE).count()


def waiting_counts(agency_id: int, day: date | None = None) -> list[dict]:
    """Each active group of an agency with the number of tickets waiting in it today (one query)."""
    day = day or timezone.localdate()
    groups = (
        CounterGroup.objects.filter(agency_id=agency_id, is_active=True)
        .annotate(waiting=Count("tickets", filter=Q(tickets__day=day, tickets__state__in=CALLABLE)))
        .order_by("position", "letter")
    )
    return [{"group": g, "letter": g.letter, "name": g.name, "waiting": g.waiting} for g in groups]


def display_feed(agency_id: int) -> dict:
    """The last calls of today (newest first) and the waiting counts: what the hall screen shows."""
    called = (
        Ticket.objects.filter(agency_id=agency_id, day=timezone.localdate(), announced_at__isnull=False)
        .exclude(state__in=CALLABLE)
        .select_related("counter")
        .order_by("-announced_at", "-pk")[: settings.TICKET_DISPLAY_ROWS]
    )
    return {
        "called": [
            {
                "id": t.pk,
                "number": t.label,
                "counter": t.counter.label if t.counter else "",
                "announced_at": timezone.localtime(t.announced_at).isoformat(),
                "at_counter": t.state in AT_COUNTER,
            }
            for t in called
        ],
        "waiting": [
            {"letter": row["letter"], "name": row["name"], "waiting": row["waiting"]}
            for row in waiting_counts(agency_id)
        ],
    }


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (p90: the smallest figure that 90 % of the figures do not exceed)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


class _PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the same nearest rank as _percentile, in the database."""

    function = "percentile_disc"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, share: float, **extra):
        super().__init__(expression, share=share, output_field=DurationField(), **extra)


def _minutes(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


WAIT = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("finished_at") - F("called_at"), output_field=DurationField())


def _times_in_database(tickets) -> dict:
    done = Q(state=TicketState.DONE, finished_at__isnull=False, called_at__isnull=False)
    called = Q(called_at__isnull=False)
    figures = tickets.aggregate(
        wait_avg=Avg(WAIT, filter=called),
        wait_p90=_PercentileDisc(WAIT, 0.9, filter=called),
        service_avg=Avg(SERVICE, filter=done),
        service_p90=_PercentileDisc(SERVICE, 0.9, filter=done),
    )
    return {key: _minutes(value) for key, value in figures.items()}


def _times_in_python(tickets) -> dict:
    """SQLite (the embedded default) has no percentile: the durations are read and ranked here."""
    waits, services = [], []
    for state, issued, called, finished in tickets.values_list("state", "issued_at", "called_at", "finished_at"):
        if called:
            waits.append((called - issued).total_seconds() / 60)
            if state == TicketState.DONE and finished:
                services.append((finished - called).total_seconds() / 60)

    def rounded(value):
        return None if value is None else round(value, 1)

    return {
        "wait_avg": rounded(sum(waits) / len(waits)) if waits else None,
        "wait_p90": rounded(_percentile(waits, 0.9)),
        "service_avg": rounded(sum(services) / len(services)) if services else None,
        "service_p90": rounded(_percentile(services, 0.9)),
    }


def ticket_stats(*, agency_ids, start: date, end: date) -> dict:
    """Tickets issued and served, average and p90 wait (issued → first call) and service (call →
    finished) in minutes, appointments checked in against those booked; agency_ids None: all.
    Three queries, whatever the number of tickets (PostgreSQL ranks the durations itself)."""
    tickets = Ticket.objects.filter(day__range=(start, end))
    booked = Appointment.objects.filter(start__date__range=(start, end)).exclude(status=AppointmentStatus.CANCELLED)
    if agency_ids is not None:
        tickets = tickets.filter(agency_id__in=agency_ids)
        booked = booked.filter(agency_id__in=agency_ids)
    counts = tickets.aggregate(
        issued=Count("pk"),
        served=Count("pk", filter=Q(state=TicketState.DONE)),
        skipped=Count("pk", filter=Q(state=TicketState.SKIPPED)),
        waiting=Count("pk", filter=Q(state__in=CALLABLE)),
        appointments_kept=Count("pk", filter=Q(kind=TicketKind.APPOINTMENT)),
    )
    times = _times_in_database(tickets) if connection.vendor == "postgresql" else _times_in_python(tickets)
    return {**counts, **times, "appointments_booked": booked.count()}
