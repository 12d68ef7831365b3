"""The demo data tells a believable story: what `make run` shows a new user."""

import pytest
from django.utils import timezone

from demo.seed import seed_demo
from dossiers.models import Dossier


@pytest.mark.django_db
def test_every_demo_due_time_is_the_offices_closing_time():
    """Due times are 17:00 (OFFICE_CLOSES_AT), never the hour the demo happened to be seeded."""
    seed_demo()
    due = [timezone.localtime(d) for d in Dossier.objects.exclude(due_at=None).values_list("due_at", flat=True)]
    assert due, "the demo has dossiers with a due date"
    assert {(d.hour, d.minute) for d in due} == {(17, 0)}


@pytest.mark.django_db
def test_the_demo_has_an_officer_of_the_consulted_agency_who_sees_the_question_in_their_queue():
    from demo.seed import DEMO_CONSULTED_AGENCY
    from dossiers.actions import available_transitions
    from dossiers.constants import DossierStatus
    from dossiers.selectors import officer_queue
    from portal.models import User

    seed_demo()
    police = User.objects.get(email="congan@demo.motcua.vn")
    assert police.memberships.get().agency.code == DEMO_CONSULTED_AGENCY
    qs, counts = officer_queue(police, view="consulted")
    consulting = Dossier.objects.get(status=DossierStatus.CONSULTING)
    assert counts["consulted"] == 1 and [d.code for d in qs] == [consulting.code]
    assert available_transitions(police, consulting) == ["record_consultation"]
