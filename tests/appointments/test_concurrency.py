"""The last seat of a slot under concurrency: real threads on PostgreSQL, one connection each."""

import pytest
from django.db import connection

from appointments import services
from appointments.models import Appointment, DeskSchedule
from tests.dossiers.factories import CitizenFactory, birth_procedure
from tests.dossiers.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_exactly_capacity_bookings_succeed_when_many_race_for_a_slot():
    assert connection.vendor == "postgresql"
    from datetime import datetime

    from django.utils import timezone

    version = birth_procedure()
    DeskSchedule.objects.create(agency=version.agency, capacity=3)
    start = timezone.make_aware(datetime(2027, 2, 11, 8, 0))
    citizens = CitizenFactory.create_batch(12)
    results, errors = run_together(
        [
            lambda c=c: (
                services.appointment_book(
                    citizen=c, agency=version.agency, procedure=version.procedure, start=start
                ).seat_number
            )
            for c in citizens
        ]
    )
    assert sorted(r for r in results if r is not None) == [1, 2, 3]
    assert len(errors) == 9
    assert all(isinstance(e, services.AppointmentRefused) and e.code == "full" for e in errors)
    assert Appointment.objects.filter(start=start).count() == 3
