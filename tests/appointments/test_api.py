"""The appointments API: slot shapes, 201/400/409, owner-only cancel."""

from datetime import date

import pytest

from appointments.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/appointments/slots/"
BOOK = "/api/v1/appointments/"
START = "2027-02-11T08:00:00+07:00"


def body(desk, start=START):
    return {"agency": desk["agency"].code, "procedure": desk["procedure"].code, "start": start}


def test_slots_shape_and_holidays(client, desk):
    response = client.get(SLOTS, {"agency": desk["agency"].code, "date": "2027-02-11"})
    assert response.status_code == 200
    first = response.json()[0]
    assert set(first) == {"start", "end", "available"}
    assert first["start"] == "2027-02-11T07:30:00+07:00" and first["available"] == 2
    assert client.get(SLOTS, {"agency": desk["agency"].code, "date": "2027-02-08"}).json() == []
    assert client.get(SLOTS, {"agency": desk["agency"].code, "date": "9999-12-31"}).json() == []  # beyond the horizon


def test_slots_for_a_procedure_respect_its_groups_quota(client, desk):
    from appointments.models import ProcedureGroupQuota

    quota = ProcedureGroupQuota.objects.create(agency=desk["agency"], name="Hộ tịch", capacity=1)
    quota.procedures.add(desk["procedure"])
    query = {"agency": desk["agency"].code, "date": "2027-02-11", "procedure": desk["procedure"].code}
    assert client.get(SLOTS, query).json()[0]["available"] == 1
    assert client.get(SLOTS, {**query, "procedure": "no-such-procedure"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"agency": "000.20.00.H99", "date": "11/02/2027"},
        {"agency": "nope", "date": "2027-02-11"},
    ],
)
def test_slots_bad_input_is_a_400_problem(client, desk, query):
    response = client.get(SLOTS, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_book_201_then_full_409(client, desk):
    from tests.dossiers.factories import CitizenFactory

    for citizen in (desk["citizen"], desk["other_citizen"]):
        client.force_login(citizen)
        response = client.post(BOOK, body(desk), content_type="application/json")
        assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "code", "agency", "procedure", "start", "end", "status"}
    assert data["status"] == "booked" and data["start"] == START
    client.force_login(CitizenFactory())
    response = client.post(BOOK, body(desk), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "full" in response.json()["detail"]
    assert Appointment.objects.count() == 2


def test_book_closed_409_and_bad_input_400(client, desk):
    client.force_login(desk["citizen"])
    assert (
        client.post(BOOK, body(desk, "2027-02-08T08:00:00+07:00"), content_type="application/json").status_code == 409
    )
    assert client.post(BOOK, body(desk, "tomorrow"), content_type="application/json").status_code == 400
    assert client.post(BOOK, {**body(desk), "procedure": "NOPE"}, content_type="application/json").status_code == 400
    assert Appointment.objects.count() == 0


def test_book_needs_sign_in(client, desk):
    assert client.post(BOOK, body(desk), content_type="application/json").status_code in (401, 403)


def test_delete_is_for_the_owner_only(client, desk):
    client.force_login(desk["citizen"])
    appointment_id = client.post(BOOK, body(desk), content_type="application/json").json()["id"]
    client.force_login(desk["other_citizen"])
    assert client.delete(f"{BOOK}{appointment_id}/").status_code == 404
    assert client.get(f"{BOOK}{appointment_id}/").status_code == 404
    client.force_login(desk["citizen"])
    assert client.get(f"{BOOK}{appointment_id}/").json()["id"] == appointment_id
    assert client.delete(f"{BOOK}{appointment_id}/").status_code == 204
    assert Appointment.objects.get(pk=appointment_id).status == AppointmentStatus.CANCELLED
    assert client.delete(f"{BOOK}{appointment_id}/").status_code == 409  # already cancelled
    assert date(2027, 2, 11) == Appointment.objects.get(pk=appointment_id).start.date()
