"""Reads: people ahead of a ticket, waiting counts, the hall display's feed, waiting and service
times per agency and period (the caller page, the stats page and the indicators dashboard)."""

import math
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
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
        "waiting": [{"letter": row["letter"], "name": row["name"], "waiting": row["waiting"]} for row in waiting_counts(agency_id)],
    }


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (p90: the value 90 % of the figures do not exceed)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _minutes(pairs) -> list[float]:
    return [(end - start).total_seconds() / 60 for start, end in pairs if start and end and end >= start]


def ticket_stats(*, agency_ids, start: date, end: date) -> dict:
    """Tickets issued and served, average and p90 wait (issued → first call) and service (call →
    finished) in minutes, appointments checked in against those booked; agency_ids None: all."""
    tickets = Ticket.objects.filter(day__range=(start, end))
    booked = Appointment.objects.filter(start__date__range=(start, end)).exclude(status=AppointmentStatus.CANCELLED)
    if agency_ids is not None:
        tickets = tickets.filter(agency_id__in=agency_ids)
        booked = booked.filter(agency_id__in=agency_ids)
    rows = list(tickets.values_list("kind", "state", "issued_at", "called_at", "finished_at"))
    waits = _minutes((issued, called) for _k, _s, issued, called, _f in rows)
    services = _minutes((called, finished) for _k, state, _i, called, finished in rows if state == TicketState.DONE)
    booked_count = booked.count()
    kept = sum(1 for kind, *_rest in rows if kind == TicketKind.APPOINTMENT)
    return {
        "issued": len(rows),
        "served": sum(1 for _k, state, *_rest in rows if state == TicketState.DONE),
        "skipped": sum(1 for _k, state, *_rest in rows if state == TicketState.SKIPPED),
        "waiting": sum(1 for _k, state, *_rest in rows if state in CALLABLE),
        "wait_avg": round(sum(waits) / len(waits), 1) if waits else None,
        "wait_p90": round(_percentile(waits, 0.9), 1) if waits else None,
        "service_avg": round(sum(services) / len(services), 1) if services else None,
        "service_p90": round(_percentile(services, 0.9), 1) if services else None,
        "appointments_booked": booked_count,
        "appointments_kept": kept,
    }
