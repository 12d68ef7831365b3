import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/due-date/"


def test_due_date_across_tet(client):
    response = client.get(URL, {"received_at": "2026-02-13T16:10:00+07:00", "days": 2})
    assert response.status_code == 200
    assert response.json() == {
        "received_at": "2026-02-13T16:10:00+07:00",
        "counting_from": "2026-02-23T07:30:00+07:00",
        "due_at": "2026-02-25T17:00:00+07:00",
    }


def test_naive_time_is_local(client):
    response = client.get(URL, {"received_at": "2026-03-04T10:00", "days": 0})
    assert response.json()["due_at"] == "2026-03-04T17:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"days": 3}, "received_at"),
        ({"received_at": "yesterday", "days": 3}, "received_at"),
        ({"received_at": "2026-03-04T10:00:00+07:00"}, "days"),
        ({"received_at": "2026-03-04T10:00:00+07:00", "days": "-1"}, "days"),
        ({"received_at": "2026-03-04T10:00:00+07:00", "days": "ba"}, "days"),
        ({"received_at": "2026-03-04T10:00:00+07:00", "days": "100000"}, "days"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, params, bad):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert list(body["errors"]) == [bad]
    assert bad in body["detail"]
