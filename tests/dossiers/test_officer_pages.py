"""The officer's HTML pages on the hot path: a bounded number of queries whatever the queue holds,
and one timeline for the applicant's and the officer's page."""

import pytest

from dossiers.models import DossierEvent
from portal.constants import StaffRole
from tests.second_factor import staff_login

from .factories import DossierFactory

pytestmark = pytest.mark.django_db

ROWS = 8  # enough for a query per row (N+1) to break the bound below


def test_the_officer_queue_page_runs_a_bounded_number_of_queries(client, office, django_assert_max_num_queries):
    for _ in range(ROWS):
        DossierFactory(state="in_processing", applicant=office["citizen"], version=office["version"], people=office)
    staff_login(client, office["desk"])
    # Session, user, device, memberships, counts, page, procedures and fields for the filters...
    # measured 14 with a cold cache (SQLite and PostgreSQL alike).
    with django_assert_max_num_queries(16):
        response = client.get("/can-bo/ho-so/")
    assert response.status_code == 200 and len(response.context["page_obj"].object_list) == ROWS


def test_the_desk_page_runs_a_bounded_number_of_queries(client, office, django_assert_max_num_queries):
    dossier = DossierFactory(state="approved", applicant=office["citizen"], version=office["version"], people=office)
    staff_login(client, office["desk"])
    # Measured 21 for an approved dossier (cold cache, the session saved): one per list shown (the
    # message thread's and the postal shipment's too), none per row, and the access log's INSERT.
    with django_assert_max_num_queries(21):
        response = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.status_code == 200 and len(response.context["events"]) >= 5


def test_event_roles_are_choices_shown_in_the_officers_language(client, office, submitted):
    event = DossierEvent(dossier=submitted, kind="received", role=StaffRole.RECEPTIONIST)
    assert event.get_role_display() == StaffRole.RECEPTIONIST.label
    assert [value for value, _ in DossierEvent._meta.get_field("role").choices] == StaffRole.values


def test_one_timeline_internal_events_and_roles_only_on_the_officers_page(client, office):
    dossier = DossierFactory(
        state="in_processing", applicant=office["citizen"], version=office["version"], people=office
    )
    staff_login(client, office["desk"])
    officer = client.get(f"/can-bo/ho-so/{dossier.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="timeline__internal"' in officer  # the assignment is internal
    assert "· One-stop desk officer" in officer and "to Chuyên viên" in officer
    client.force_login(office["citizen"])
    citizen = client.get(f"/ho-so/{dossier.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<ol class="timeline">' in citizen and "timeline__internal" not in citizen
    assert "One-stop desk officer" not in citizen and "to Chuyên viên" not in citizen
