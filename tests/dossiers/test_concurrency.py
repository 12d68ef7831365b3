"""Dossier codes under concurrency: real threads on PostgreSQL, each with its own connection."""

import re
import threading

import pytest
from django.db import connection, connections

from dossiers import services
from dossiers.models import Dossier

from .factories import CitizenFactory, birth_procedure, filled_draft, receive_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    """Start every function at the same instant (a barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_simultaneous_submissions_get_distinct_sequential_codes():
    assert connection.vendor == "postgresql"
    version = birth_procedure()
    drafts = [(c, filled_draft(c, version)) for c in CitizenFactory.create_batch(16)]
    results, errors = run_together(
        [lambda c=c, d=d: services.dossier_submit(dossier=d, actor=c).code for c, d in drafts]
    )
    assert errors == []
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in results)
    assert numbers == list(range(1, 17))
    assert all(re.fullmatch(r"000\.20\.00\.H99-\d{6}-\d{4}", code) for code in results)


def test_double_submit_of_one_draft_races_to_one_dossier():
    version = birth_procedure()
    citizen = CitizenFactory()
    draft = filled_draft(citizen, version)
    results, errors = run_together([lambda: services.dossier_submit(dossier=draft, actor=citizen).code] * 6)
    assert errors == []
    assert len(set(results)) == 1
    assert Dossier.objects.exclude(code=None).count() == 1


def test_two_officers_receive_at_once_one_wins():
    """Two desk officers click at the same instant: one transition, one event; the other is told why."""
    from dossiers.actions import TransitionConflict, dossier_act
    from dossiers.constants import DossierStatus, EventKind
    from dossiers.models import DossierEvent
    from portal.models import AgencyMembership

    version = birth_procedure()
    citizen = CitizenFactory()
    dossier = services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    officers = CitizenFactory.create_batch(2)
    for officer in officers:
        AgencyMembership.objects.create(user=officer, agency=version.agency, role="receptionist")
    actions = [
        lambda o=officers[0]: dossier_act(
            dossier=Dossier.objects.get(pk=dossier.pk), name="receive", actor=o, data=receive_data(dossier)
        ),
        lambda o=officers[1]: dossier_act(
            dossier=Dossier.objects.get(pk=dossier.pk),
            name="refuse_reception",
            actor=o,
            data={"reasons": "Thiếu giấy tờ"},
        ),
    ]
    results, errors = run_together(actions)
    assert len(errors) == 1 and isinstance(errors[0], TransitionConflict)
    dossier.refresh_from_db()
    assert dossier.status in (DossierStatus.RECEIVED, DossierStatus.NOT_RECEIVED)
    decided = DossierEvent.objects.filter(dossier=dossier, kind__in=[EventKind.RECEIVED, EventKind.RECEPTION_REFUSED])
    assert decided.count() == 1
