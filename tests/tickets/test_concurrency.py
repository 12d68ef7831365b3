"""Kiosks and officers at the same instant: real threads on PostgreSQL, one connection each."""

import pytest
from django.db import connection

from tests.dossiers.test_concurrency import run_together
from tests.tickets.factories import desk_queues
from tickets import services
from tickets.models import Counter, Ticket, TicketState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_kiosks_get_distinct_sequential_numbers(office):
    assert connection.vendor == "postgresql"
    queues = desk_queues(office["agency"])
    results, errors = run_together([lambda: services.ticket_issue(group=queues["a"]).number] * 12)
    assert errors == []
    assert sorted(results) == list(range(1, 13))


def test_two_officers_never_call_the_same_ticket(office):
    assert connection.vendor == "postgresql"
    from portal.constants import StaffRole
    from tests.dossiers.factories import StaffFactory

    queues = desk_queues(office["agency"])
    for _ in range(6):
        services.ticket_issue(group=queues["a"])
    officers, counters = [], []
    for number in range(4, 12):
        counter = Counter.objects.create(agency=office["agency"], number=number)
        counter.groups.set([queues["a"]])
        counters.append(counter)
        officers.append(StaffFactory(agency=office["agency"], role=StaffRole.RECEPTIONIST))
    results, errors = run_together(
        [
            lambda o=o, c=c: getattr(services.ticket_call_next(officer=o, counter=c), "label", None)
            for o, c in zip(officers, counters, strict=True)
        ]
    )
    assert errors == []
    called = [label for label in results if label]
    # Six tickets for eight officers: each called once, two officers find nobody waiting.
    assert sorted(called) == [f"A-{n:03d}" for n in range(1, 7)]
    assert results.count(None) == 2
    assert Ticket.objects.filter(state=TicketState.CALLED).values("counter").distinct().count() == 6
