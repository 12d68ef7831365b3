import pytest


@pytest.fixture
def desk(db):
    """The birth procedure's commune with a desk schedule of 2 seats per 30-minute slot."""
    from appointments.models import DeskSchedule
    from tests.dossiers.factories import CitizenFactory, birth_procedure

    version = birth_procedure()
    schedule = DeskSchedule.objects.create(agency=version.agency, slot_minutes=30, capacity=2)
    return {
        "agency": version.agency,
        "procedure": version.procedure,
        "version": version,
        "schedule": schedule,
        "citizen": CitizenFactory(),
        "other_citizen": CitizenFactory(),
    }


# "Now" in these tests: before Tết 2027, so its dates stay in the future whenever the suite runs.
NOW = "2027-01-20T09:00:00+07:00"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from datetime import datetime

    from django.utils import timezone

    fixed = datetime.fromisoformat(NOW)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    return fixed
