"""Benchmark: queue tickets on PostgreSQL: issuing, calling next with many waiting, and the
waiting/service statistics over a year of tickets (what the indicators dashboard asks for).

Bulk-generates a year of past tickets for 50 desks (first run only), then prints p50/p95 of
ticket_issue, ticket_call_next (with --waiting tickets waiting today, appointments among them)
and tickets.selectors.ticket_stats for the province over a year and for one desk over a month.
Usage: .venv/bin/python bench/tickets.py [--per-day 120] [--waiting 500]
"""

import argparse
import statistics
import time
from datetime import datetime, timedelta

import common  # noqa: E402 - sets up the path and the bench database first


def timed(function, runs: int) -> tuple[float, float]:
    laps = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        laps.append((time.perf_counter() - start) * 1000)
    laps.sort()
    return statistics.median(laps), laps[max(int(len(laps) * 0.95) - 1, 0)]


def desks(count: int):
    from portal.constants import StaffRole
    from portal.models import AgencyMembership, User
    from procedures.models import Agency
    from tickets.models import Counter, CounterGroup

    made = []
    for n in range(count):
        agency, _ = Agency.objects.get_or_create(
            code=f"B.{n:03d}", defaults={"name": f"Bench desk {n}", "level": "commune"}
        )
        group, _ = CounterGroup.objects.get_or_create(agency=agency, code="a", defaults={"name": "A", "letter": "A"})
        counter, created = Counter.objects.get_or_create(agency=agency, number=1)
        if created:
            counter.groups.set([group])
        officer, _ = User.objects.get_or_create(email=f"bench-desk-{n}@example.vn")
        AgencyMembership.objects.get_or_create(user=officer, agency=agency, role=StaffRole.RECEPTIONIST)
        made.append((agency, group, counter, officer))
    return made


def generate(made, per_day: int) -> int:
    """A year of finished tickets per desk: waits of 0-40 min, services of 2-15 min."""
    from django.utils import timezone

    from tickets.models import Ticket

    if Ticket.objects.filter(day__lt=timezone.localdate()).exists():
        return Ticket.objects.count()
    rows, today = [], timezone.localdate()
    for agency, group, counter, officer in made:
        for back in range(1, 366):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            opens = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=7, minutes=30)
            for k in range(per_day):
                issued = opens + timedelta(minutes=k * 2)
                called = issued + timedelta(minutes=(k * 7) % 41)
                rows.append(
                    Ticket(
                        agency=agency,
                        group=group,
                        day=day,
                        number=k + 1,
                        label=f"A-{k + 1:03d}",
                        state="done",
                        issued_at=issued,
                        called_at=called,
                        announced_at=called,
                        finished_at=called + timedelta(minutes=2 + k % 14),
                        counter=counter,
                        served_by=officer,
                    )
                )
        Ticket.objects.bulk_create(rows, batch_size=5000)
        rows = []
    return Ticket.objects.count()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--desks", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=120)
    parser.add_argument("--waiting", type=int, default=500)
    args = parser.parse_args()
    common.use_database("motcua_bench_tickets")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from tickets import selectors, services
    from tickets.models import Ticket

    made = desks(args.desks)
    total = generate(made, args.per_day)
    print(f"tickets in the database: {total:,} ({args.desks} desks, PostgreSQL)")
    agency, group, counter, officer = made[0]
    Ticket.objects.filter(day=timezone.localdate()).delete()
    p50, p95 = timed(lambda: services.ticket_issue(group=group), args.waiting)
    print(f"ticket_issue ({args.waiting} tickets): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    p50, p95 = timed(lambda: services.ticket_call_next(officer=officer, counter=counter), 200)
    print(f"ticket_call_next ({args.waiting} waiting, 200 calls): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    today = timezone.localdate()
    p50, p95 = timed(lambda: selectors.ticket_stats(agency_ids=None, start=today - timedelta(days=365), end=today), 5)
    print(f"ticket_stats, province, one year: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    p50, p95 = timed(
        lambda: selectors.ticket_stats(agency_ids=[agency.pk], start=today - timedelta(days=30), end=today), 20
    )
    print(f"ticket_stats, one desk, 30 days: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(selectors.ticket_stats(agency_ids=None, start=today - timedelta(days=365), end=today))


if __name__ == "__main__":
    main()
