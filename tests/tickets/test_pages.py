"""The kiosk (public), the caller page (desk officers of the agency), the hall display and its
feed, the stats page: bad input, permissions, query bounds."""

import pytest
from django.test import Client

from tests.second_factor import staff_login
from tests.tickets.factories import desk_queues
from tickets import services
from tickets.models import Ticket, TicketState

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def kiosk_url(agency):
    return f"/quay/lay-so/{agency.code}/"


def test_kiosk_issues_a_ticket_and_shows_it_with_people_ahead(client, clock, office, queues):
    services.ticket_issue(group=queues["a"])
    page = client.get(kiosk_url(office["agency"]), **EN)
    assert page.status_code == 200
    assert b'value="ho-tich"' in page.content and b"I have an appointment" in page.content
    response = client.post(kiosk_url(office["agency"]), {"group": "ho-tich"}, **EN)
    assert response.status_code == 302
    ticket = client.get(response["Location"], **EN)
    assert ticket.status_code == 200
    assert b'data-number="A-002"' in ticket.content
    assert b"1 person ahead of you" in ticket.content
    assert b"tickets.js" in ticket.content and b"<script>" not in ticket.content
    assert Ticket.objects.filter(label="A-002", state=TicketState.WAITING).exists()


def test_kiosk_unknown_agency_or_group_is_404_and_issues_nothing(client, clock, office, queues):
    assert client.get("/quay/lay-so/000.00.00.X00/").status_code == 404
    assert client.post(kiosk_url(office["agency"]), {"group": "nope"}).status_code == 404
    other_group = queues["a"].pk  # a pk is not a code
    assert client.post(kiosk_url(office["agency"]), {"group": str(other_group)}).status_code == 404
    assert not Ticket.objects.exists()


def test_kiosk_bad_appointment_code_says_so_clearly(client, clock, office, queues):
    response = client.post(kiosk_url(office["agency"]), {"code": "LH-NOT-MINE<script>"}, **EN)
    assert response.status_code == 400
    assert b"could not find an appointment with this code" in response.content
    assert b"<script>" not in response.content.split(b'id="check-in-code"')[1][:200]
    assert not Ticket.objects.exists()


def test_kiosk_refuses_an_appointment_of_another_day(client, clock, office, queues, book):
    appointment = book("2027-01-22T09:00:00+07:00")
    response = client.post(kiosk_url(office["agency"]), {"code": appointment.code}, **EN)
    assert response.status_code == 400
    assert b"This appointment is on 22/01/2027, not today" in response.content
    assert not Ticket.objects.exists()


def test_kiosk_checks_in_an_appointment(client, clock, office, queues, book):
    appointment = book("2027-01-20T09:15:00+07:00")
    response = client.post(kiosk_url(office["agency"]), {"code": appointment.code}, **EN)
    page = client.get(response["Location"], **EN)
    assert b"Appointment at 09:15" in page.content
    assert Ticket.objects.get().appointment == appointment


def test_kiosk_is_throttled(client, clock, office, queues, settings):
    settings.TICKET_KIOSK_PER_MINUTE = 3
    codes = [client.post(kiosk_url(office["agency"]), {"group": "ho-tich"}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Ticket.objects.count() == 3


def test_a_forged_ticket_link_is_404(client, clock, office, queues):
    assert client.get(f"/quay/lay-so/{office['agency'].code}/ve/1:forged/").status_code == 404


def test_caller_page_is_for_desk_officers_of_the_agency_only(clock, office, queues):
    services.ticket_issue(group=queues["a"])
    for someone in (office["specialist"], office["stranger"], office["citizen"]):
        client = Client()
        if someone.is_citizen:
            client.force_login(someone)
        else:
            staff_login(client, someone)
        page = client.get(f"/can-bo/goi-so/?counter={queues['one'].pk}", **EN)
        if someone == office["stranger"]:  # a desk officer elsewhere: his desk has no counters yet
            assert page.status_code == 200 and b"No counter is set up" in page.content
        else:
            assert page.status_code == 404
        assert client.post(f"/can-bo/goi-so/{queues['one'].pk}/", {"action": "next"}).status_code == 404
    assert Ticket.objects.get().state == TicketState.WAITING
    assert Client().get("/can-bo/goi-so/").status_code == 302  # to sign in


def test_caller_calls_recalls_transfers_and_finishes(clock, office, queues, django_assert_max_num_queries):
    client = staff_login(Client(), office["desk"])
    services.ticket_issue(group=queues["a"])
    services.ticket_issue(group=queues["b"])
    url = f"/can-bo/goi-so/{queues['one'].pk}/"
    assert client.post(url, {"action": "next"}).status_code == 302
    ticket = Ticket.objects.get(label="A-001")
    assert (ticket.state, ticket.counter) == (TicketState.CALLED, queues["one"])
    with django_assert_max_num_queries(12):  # 12 today, none per ticket or group
        page = client.get(f"/can-bo/goi-so/?counter={queues['one'].pk}", **EN)
    assert b'id="caller-current" data-state="called">A-001' in page.content
    client.post(url, {"action": "recall", "ticket": ticket.pk})
    client.post(url, {"action": "transfer", "ticket": ticket.pk, "group": queues["b"].pk})
    ticket.refresh_from_db()
    assert (ticket.recall_count, ticket.state, ticket.group) == (1, TicketState.TRANSFERRED, queues["b"])
    client.post(url, {"action": "next"})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CALLED  # A-001 was issued before B-001
    clock.tick(4)
    client.post(url, {"action": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DONE
    # A ticket of another desk, bad input: nothing changes, no 5xx.
    other = services.ticket_issue(group=desk_queues(office["other_agency"])["a"])
    assert client.post(url, {"action": "skip", "ticket": other.pk}).status_code == 404
    assert client.post(url, {"action": "skip", "ticket": "abc"}).status_code == 302
    assert client.post(url, {"action": "fly", "ticket": ticket.pk}).status_code == 404
    assert client.post(f"/can-bo/goi-so/{queues['one'].pk + 999}/", {"action": "next"}).status_code == 404


def test_display_page_and_feed_show_the_last_calls_with_few_queries(
    client, clock, office, queues, django_assert_max_num_queries
):
    for _ in range(12):
        services.ticket_issue(group=queues["a"])
    for _ in range(10):
        clock.tick(1)
        ticket = services.ticket_call_next(officer=office["desk"], counter=queues["two"])
        services.ticket_finish(officer=office["desk"], counter=queues["two"], ticket=ticket)
    with django_assert_max_num_queries(3):  # the agency, the calls, the waiting counts
        feed = client.get(f"/quay/man-hinh/{office['agency'].code}/du-lieu/").json()
    assert [c["number"] for c in feed["called"]] == [f"A-{n:03d}" for n in range(10, 2, -1)]  # last 8, newest first
    assert feed["called"][0]["counter"] in ("Quầy 2", "Counter 2")
    assert feed["waiting"] == [
        {"letter": "A", "name": "Hộ tịch", "waiting": 2},
        {"letter": "B", "name": "Đất đai", "waiting": 0},
    ]
    with django_assert_max_num_queries(3):
        page = client.get(f"/quay/man-hinh/{office['agency'].code}/", **EN)
    assert page.status_code == 200
    assert b'aria-live="assertive"' in page.content and b"tickets-display.js" in page.content
    assert client.get("/quay/man-hinh/nope/du-lieu/").status_code == 404


def test_stats_page_and_selector(clock, office, queues, book):
    from tickets.selectors import ticket_stats

    desk, two = office["desk"], queues["two"]
    book("2027-01-20T10:00:00+07:00", citizen=office["other_citizen"])  # booked, not kept
    services.ticket_check_in(agency=office["agency"], code=book("2027-01-20T09:00:00+07:00").code)
    for _ in range(9):
        services.ticket_issue(group=queues["a"])
    for minutes in range(1, 11):
        clock.tick(minutes)
        ticket = services.ticket_call_next(officer=desk, counter=two)
        clock.tick(2)
        services.ticket_finish(officer=desk, counter=two, ticket=ticket)
    stats = ticket_stats(agency_ids=[office["agency"].pk], start=clock.at.date(), end=clock.at.date())
    assert (stats["issued"], stats["served"], stats["appointments_kept"], stats["appointments_booked"]) == (
        10,
        10,
        1,
        2,
    )
    assert stats["service_avg"] == 2.0 and stats["service_p90"] == 2.0
    # Waits: the n-th call at sum(k + 2 for k < n) + n minutes after issue.
    waits = sorted(sum(k for k in range(1, n + 1)) + 2 * (n - 1) for n in range(1, 11))
    assert stats["wait_p90"] == waits[8] and stats["wait_avg"] == round(sum(waits) / 10, 1)
    client = staff_login(Client(), office["specialist"])
    page = client.get("/can-bo/goi-so/thong-ke/?from=2027-01-20&to=2027-01-20", **EN)
    assert page.status_code == 200
    assert f'data-agency="{office["agency"].code}"'.encode() in page.content
    assert staff_login(Client(), office["citizen"]).get("/can-bo/goi-so/thong-ke/").status_code == 404


def test_in_vietnamese_the_kiosk_and_the_display_speak_of_quay(client, clock, office, queues):
    from tests.i18n_pending import pending_vietnamese

    services.ticket_issue(group=queues["a"])
    services.ticket_call_next(officer=office["desk"], counter=queues["two"])
    with pending_vietnamese("tickets"):
        kiosk = client.get(kiosk_url(office["agency"]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        feed = selectors_feed(office["agency"])
    assert "Lấy số thứ tự" in kiosk and "Tôi đã đặt lịch hẹn" in kiosk
    assert feed["called"][0]["counter"] == "Quầy 2"


def selectors_feed(agency):
    from tickets.selectors import display_feed

    return display_feed(agency.pk)
