"""Ticket numbers, check-in windows and the calling order (appointments due first, then walk-ins)."""

import pytest

from appointments.models import AppointmentStatus
from tickets import services
from tickets.models import Ticket, TicketKind, TicketState

pytestmark = pytest.mark.django_db


def test_numbers_run_per_group_and_per_day(clock, queues):
    a1 = services.ticket_issue(group=queues["a"])
    a2 = services.ticket_issue(group=queues["a"])
    b1 = services.ticket_issue(group=queues["b"])
    assert [a1.label, a2.label, b1.label] == ["A-001", "A-002", "B-001"]
    clock.tick(24 * 60)
    assert services.ticket_issue(group=queues["a"]).label == "A-001"
    assert Ticket.objects.filter(label="A-001").count() == 2


def test_a_closed_group_issues_nothing(clock, queues):
    queues["a"].is_active = False
    queues["a"].save()
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_issue(group=queues["a"])
    assert refused.value.code == "invalid"
    assert not Ticket.objects.exists()


def test_a_due_appointment_is_called_before_earlier_walk_ins_one_not_yet_due_is_not(clock, office, queues, book):
    desk, one = office["desk"], queues["one"]
    walk_1 = services.ticket_issue(group=queues["a"])
    clock.tick(2)
    walk_2 = services.ticket_issue(group=queues["b"])
    clock.tick(2)
    # 09:04: one appointment at 09:00 (due), one at 09:30 (checked in early, not due yet).
    due = services.ticket_check_in(agency=office["agency"], code=book("2027-01-20T09:00:00+07:00").code)
    later = services.ticket_check_in(
        agency=office["agency"], code=book("2027-01-20T09:30:00+07:00", citizen=office["other_citizen"]).code
    )
    assert (due.kind, due.due_at < later.due_at) == (TicketKind.APPOINTMENT, True)
    clock.tick(1)

    order = []
    for _ in range(4):
        ticket = services.ticket_call_next(officer=desk, counter=one)
        order.append(ticket.label)
        services.ticket_finish(officer=desk, counter=one, ticket=ticket)
    # 09:05: the due appointment first, then the walk-ins in order; the 09:30 one only when nobody else waits.
    assert order == [due.label, walk_1.label, walk_2.label, later.label]
    assert services.ticket_call_next(officer=desk, counter=one) is None
    due.appointment.refresh_from_db()
    assert due.appointment.status == AppointmentStatus.KEPT


def test_an_appointment_whose_time_comes_goes_before_the_walk_ins_still_waiting(clock, office, queues, book):
    desk, two = office["desk"], queues["two"]
    walks = [services.ticket_issue(group=queues["a"]) for _ in range(3)]
    appointment = services.ticket_check_in(agency=office["agency"], code=book("2027-01-20T09:10:00+07:00").code)
    first = services.ticket_call_next(officer=desk, counter=two)
    assert first == walks[0]  # 09:00: the 09:10 appointment is not due
    services.ticket_finish(officer=desk, counter=two, ticket=first)
    clock.tick(10)
    assert services.ticket_call_next(officer=desk, counter=two) == appointment


def test_a_counter_calls_only_from_its_groups(clock, office, queues):
    services.ticket_issue(group=queues["b"])
    assert services.ticket_call_next(officer=office["desk"], counter=queues["two"]) is None  # counter 2: A only
    assert services.ticket_call_next(officer=office["desk"], counter=queues["three"]).label == "B-001"


def test_transfer_keeps_the_place_by_issue_time(clock, office, queues):
    desk = office["desk"]
    early = services.ticket_issue(group=queues["a"])
    clock.tick(1)
    b_later = services.ticket_issue(group=queues["b"])
    called = services.ticket_call_next(officer=desk, counter=queues["two"])
    assert called == early
    clock.tick(3)
    moved = services.ticket_transfer(officer=desk, counter=queues["two"], ticket=called, group=queues["b"])
    assert (moved.state, moved.label, moved.group, moved.counter) == (
        TicketState.TRANSFERRED,
        "A-001",
        queues["b"],
        None,
    )
    # Issued before B-001, so called before it at a B counter; its wait ended at the first call.
    again = services.ticket_call_next(officer=desk, counter=queues["three"])
    assert again == early
    assert again.called_at == called.called_at and again.announced_at > called.called_at
    assert services.ticket_call_next(officer=desk, counter=queues["one"]) == b_later


def test_transfer_to_its_own_group_or_another_desk_is_refused(clock, office, queues):
    from tests.tickets.factories import desk_queues

    services.ticket_issue(group=queues["a"])
    ticket = services.ticket_call_next(officer=office["desk"], counter=queues["two"])
    other = desk_queues(office["other_agency"])
    for group in (queues["a"], other["b"]):
        with pytest.raises(services.TicketRefused):
            services.ticket_transfer(officer=office["desk"], counter=queues["two"], ticket=ticket, group=group)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.group) == (TicketState.CALLED, queues["a"])


def test_recall_then_skip_and_finish_write_their_times(clock, office, queues):
    desk, two = office["desk"], queues["two"]
    services.ticket_issue(group=queues["a"])
    services.ticket_issue(group=queues["a"])
    clock.tick(5)
    ticket = services.ticket_call_next(officer=desk, counter=two)
    clock.tick(1)
    recalled = services.ticket_recall(officer=desk, counter=two, ticket=ticket)
    assert recalled.recall_count == 1 and recalled.announced_at > recalled.called_at
    skipped = services.ticket_skip(officer=desk, counter=two, ticket=ticket)
    assert (skipped.state, skipped.finished_at) == (TicketState.SKIPPED, clock.at)
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_recall(officer=desk, counter=two, ticket=ticket)
    assert refused.value.code == "state"
    second = services.ticket_call_next(officer=desk, counter=two)
    services.ticket_serve(officer=desk, counter=two, ticket=second)
    clock.tick(7)
    done = services.ticket_finish(officer=desk, counter=two, ticket=second)
    assert (done.state, done.served_by, (done.finished_at - done.called_at).total_seconds()) == (
        TicketState.DONE,
        desk,
        7 * 60,
    )


def test_only_a_desk_officer_of_the_agency_calls(clock, office, queues):
    services.ticket_issue(group=queues["a"])
    for someone in (office["stranger"], office["specialist"], office["citizen"]):
        with pytest.raises(services.TicketRefused) as refused:
            services.ticket_call_next(officer=someone, counter=queues["one"])
        assert refused.value.code == "forbidden"
    assert Ticket.objects.get().state == TicketState.WAITING


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("2027-01-21T09:00:00+07:00", "not_today"),  # tomorrow
        ("2027-01-20T09:31:00+07:00", "too_early"),  # 31 minutes ahead
        ("2027-01-20T08:44:00+07:00", "too_late"),  # 16 minutes ago
    ],
)
def test_check_in_only_on_its_day_within_the_window(clock, office, queues, book, start, code):
    appointment = book(start)
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_check_in(agency=office["agency"], code=appointment.code)
    assert refused.value.code == code
    assert not Ticket.objects.exists()


def test_check_in_edges_of_the_window_and_once(clock, office, queues, book):
    early = book("2027-01-20T09:30:00+07:00")
    late = book("2027-01-20T08:45:00+07:00", citizen=office["other_citizen"])
    assert services.ticket_check_in(agency=office["agency"], code=f"  {early.code.lower()} ").appointment == early
    assert services.ticket_check_in(agency=office["agency"], code=late.code).appointment == late
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_check_in(agency=office["agency"], code=early.code)
    assert refused.value.code == "used"
    assert Ticket.objects.count() == 2


def test_check_in_refuses_unknown_cancelled_and_another_desks_code(clock, office, queues, book):
    cancelled = book("2027-01-20T09:00:00+07:00")
    cancelled.status = AppointmentStatus.CANCELLED
    cancelled.save()
    mine = book("2027-01-20T09:00:00+07:00", citizen=office["other_citizen"])
    for agency, code in [
        (office["agency"], "LH0000000000"),
        (office["agency"], ""),
        (office["agency"], cancelled.code),
        (office["other_agency"], mine.code),
    ]:
        with pytest.raises(services.TicketRefused) as refused:
            services.ticket_check_in(agency=agency, code=code)
        assert refused.value.code == "invalid"
    assert not Ticket.objects.exists()


def test_an_appointment_goes_to_the_group_serving_its_procedure(clock, office, queues, book):
    queues["b"].procedures.add(office["version"].procedure)
    ticket = services.ticket_check_in(agency=office["agency"], code=book("2027-01-20T09:00:00+07:00").code)
    assert ticket.label == "B-001"
