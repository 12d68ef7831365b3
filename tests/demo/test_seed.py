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
def test_demo_birth_and_marriage_registration_have_a_blank_form(client):
    from procedures.models import DocumentRequirement

    seed_demo()
    forms = DocumentRequirement.objects.filter(version__status="published").exclude(template="")
    assert {d.version.procedure.code for d in forms} == {"1.001193", "1.000894"}
    response = client.get(f"/thu-tuc/mau-don/{forms.get(version__procedure__code='1.001193').pk}/")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    seed_demo()  # again: nothing doubled
    assert DocumentRequirement.objects.filter(version__status="published").exclude(template="").count() == 2
