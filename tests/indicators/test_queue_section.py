"""The indicators dashboard's small section on the desks' queue tickets (tickets.selectors)."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.second_factor import staff_login
from tests.tickets.factories import desk_queues
from tickets import services

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_queue_of_the_officers_agencies_only(office):
    queues = desk_queues(office["agency"])
    other = desk_queues(office["other_agency"])
    for _ in range(3):
        services.ticket_issue(group=queues["a"])
    services.ticket_issue(group=other["a"])
    ticket = services.ticket_call_next(officer=office["desk"], counter=queues["one"])
    services.ticket_finish(officer=office["desk"], counter=queues["one"], ticket=ticket)
    today = timezone.localdate().isoformat()
    client = staff_login(Client(), office["leader"])
    html = client.get("/can-bo/chi-so/", {"from": today, "to": today}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = html.split('id="queue-section"', 1)[1].split("</section>", 1)[0]
    assert '<td data-key="issued">3</td>' in section  # not the other commune's ticket
    assert '<td data-key="served">1</td>' in section


def test_no_section_without_tickets_or_appointments(office):
    client = staff_login(Client(), office["leader"])
    assert 'id="queue-section"' not in client.get("/can-bo/chi-so/").content.decode()
