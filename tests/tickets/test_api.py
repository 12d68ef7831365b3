"""POST /api/v1/tickets/ (a kiosk machine with a desk officer's token) and the display feed."""

import pytest

from tests.api.conftest import api_for, assert_problem
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_kiosk_machine_issues_walk_in_tickets_and_checks_in_appointments(clock, office, queues, book):
    clock.tick(1)  # a token is valid when made after the password was set (not at the same frozen instant)
    api = api_for(office["desk"], agencies=[office["agency"]])
    agency = office["agency"].code
    first = api.post("/api/v1/tickets/", {"agency": agency, "group": "ho-tich"}, format="json")
    assert first.status_code == 201, first.content
    second = api.post("/api/v1/tickets/", {"agency": agency, "group": "ho-tich"}, format="json").json()
    assert (first.json()["number"], second["number"], second["people_ahead"]) == ("A-001", "A-002", 1)
    appointment = book("2027-01-20T09:10:00+07:00")
    checked = api.post("/api/v1/tickets/", {"agency": agency, "appointment_code": appointment.code}, format="json")
    assert checked.status_code == 201 and checked.json()["kind"] == "appointment"
    assert_problem(
        api.post("/api/v1/tickets/", {"agency": agency, "appointment_code": appointment.code}, format="json"), 409
    )
    assert Ticket.objects.count() == 3


def test_bad_input_and_who_may_issue(clock, office, queues):
    clock.tick(1)
    agency = office["agency"].code
    api = api_for(office["desk"])
    assert_problem(api.post("/api/v1/tickets/", {"agency": agency, "group": "nope"}, format="json"), 400, "group")
    assert_problem(api.post("/api/v1/tickets/", {"agency": "X", "group": "ho-tich"}, format="json"), 400, "agency")
    assert_problem(api.post("/api/v1/tickets/", {"agency": agency}, format="json"), 400)
    assert_problem(api.post("/api/v1/tickets/", {"agency": agency, "appointment_code": "LH00"}, format="json"), 400)
    for someone in (office["stranger"], office["specialist"], office["citizen"]):
        assert_problem(
            api_for(someone).post("/api/v1/tickets/", {"agency": agency, "group": "ho-tich"}, format="json"), 403
        )
    # A token limited to another agency narrows a desk officer too.
    narrowed = api_for(office["desk"], agencies=[office["other_agency"]])
    assert_problem(narrowed.post("/api/v1/tickets/", {"agency": agency, "group": "ho-tich"}, format="json"), 403)
    assert_problem(api_for().post("/api/v1/tickets/", {"agency": agency, "group": "ho-tich"}, format="json"), 401)
    assert not Ticket.objects.exists()


def test_the_display_feed_is_public(clock, office, queues):
    from tickets import services

    services.ticket_issue(group=queues["a"])
    services.ticket_call_next(officer=office["desk"], counter=queues["one"])
    feed = api_for().get(f"/api/v1/tickets/display/?agency={office['agency'].code}")
    assert feed.status_code == 200
    assert feed.json()["called"][0]["number"] == "A-001"
    assert_problem(api_for().get("/api/v1/tickets/display/"), 400, "agency")
