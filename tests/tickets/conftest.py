from datetime import datetime, timedelta

import pytest

# "Now" in these tests: a Wednesday morning at the desk.
NOW = "2027-01-20T09:00:00+07:00"


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def tick(self, minutes: float = 1) -> datetime:
        self.at += timedelta(minutes=minutes)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() for the test, moved on with clock.tick(minutes)."""
    from django.utils import timezone

    fixed = Clock(datetime.fromisoformat(NOW))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture
def queues(office):
    from tests.tickets.factories import desk_queues

    return desk_queues(office["agency"])


@pytest.fixture
def book(office):
    """Book an appointment of the office's citizen (or another) at a time, straight in the table."""
    from appointments.models import Appointment

    def make(start: str, citizen=None):
        at = datetime.fromisoformat(start)
        return Appointment.objects.create(
            citizen=citizen or office["citizen"],
            agency=office["agency"],
            procedure=office["version"].procedure,
            start=at,
            end=at + timedelta(minutes=30),
            seat_number=1,
        )

    return make
