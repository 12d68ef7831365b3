"""Who sees what: roles, other citizens, token scopes, revoked tokens (404 for what is not yours, never 403)."""

import pytest
from django.test import Client

from portal.models import ApiClient
from tests.dossiers.factories import receive_data

from .conftest import api_for, assert_problem, make_token

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_the_bearer_challenge(submitted):
    response = api_for().get("/api/v1/dossiers/")
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["errors"] == {}


def test_a_revoked_client_or_token_is_401(office, submitted):
    raw = make_token(office["citizen"])
    client = ApiClient.objects.get(user=office["citizen"])
    api = api_for()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")  # the Token keyword works too
    assert api.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    client.revoke()
    assert_problem(api.get(f"/api/v1/dossiers/{submitted.code}/"), 401)
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_problem(api.get("/api/v1/dossiers/"), 401)
    api.credentials(HTTP_AUTHORIZATION="Bearer two words")
    assert_problem(api.get("/api/v1/dossiers/"), 401)


def test_only_the_hash_of_a_token_is_stored(office):
    raw = make_token(office["citizen"])
    token = ApiClient.objects.get(user=office["citizen"]).tokens.get()
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert raw.startswith(token.prefix)


def test_another_citizens_dossier_is_not_found(office, submitted):
    assert api_for(office["citizen"]).get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    stranger = api_for(office["other_citizen"])
    assert_problem(stranger.get(f"/api/v1/dossiers/{submitted.code}/"), 404)
    assert_problem(stranger.get(f"/api/v1/dossiers/{submitted.public_id}/"), 404)
    assert_problem(stranger.post(f"/api/v1/dossiers/{submitted.code}/withdrawal/", {"reason": "x"}), 404)
    assert stranger.get("/api/v1/dossiers/").json()["count"] == 0


@pytest.mark.parametrize("role", ["desk", "specialist", "leader"])
def test_staff_of_the_agency_see_the_dossier_and_its_whole_timeline(office, submitted, role):
    if role == "specialist":  # a specialist reads the dossiers assigned to them (test_least_privilege.py)
        from dossiers.actions import dossier_act

        dossier_act(dossier=submitted, name="receive", actor=office["desk"], data=receive_data(submitted))
        dossier_act(
            dossier=type(submitted).objects.get(pk=submitted.pk),
            name="assign",
            actor=office["desk"],
            data={"specialist": office["specialist"].pk},
        )
    api = api_for(office[role])
    assert api.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    kinds = [e["kind"] for e in api.get(f"/api/v1/dossiers/{submitted.code}/timeline/").json()]
    assert "submitted" in kinds
    assert api.get("/api/v1/queue/").status_code == 200


def test_staff_of_another_agency_and_citizens_have_no_queue_or_transitions(office, submitted):
    assert_problem(api_for(office["stranger"]).get(f"/api/v1/dossiers/{submitted.code}/"), 404)
    assert_problem(api_for(office["stranger"]).post(f"/api/v1/dossiers/{submitted.code}/transitions/receive/"), 404)
    assert_problem(api_for(office["citizen"]).get("/api/v1/queue/"), 404)
    assert_problem(api_for(office["citizen"]).post(f"/api/v1/dossiers/{submitted.code}/transitions/receive/"), 404)


def test_a_role_without_the_transition_gets_403_and_nothing_changes(office, submitted):
    # The leader reads the dossier but does not receive it (an unassigned specialist cannot even read it).
    response = api_for(office["leader"]).post(f"/api/v1/dossiers/{submitted.code}/transitions/receive/")
    assert_problem(response, 403)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_token_scoped_to_another_agency_sees_nothing_of_this_one(office, submitted):
    """The leader also works for the other commune; a token scoped to it cannot read this commune's dossier."""
    from portal.models import AgencyMembership

    leader = office["leader"]
    AgencyMembership.objects.create(user=leader, agency=office["other_agency"], role="leader")
    scoped = api_for(leader, agencies=[office["other_agency"]])
    assert_problem(scoped.get(f"/api/v1/dossiers/{submitted.code}/"), 404)
    assert_problem(scoped.get(f"/api/v1/dossiers/{submitted.code}/transitions/"), 404)
    assert scoped.get("/api/v1/queue/").json()["count"] == 0
    home = api_for(leader, agencies=[office["agency"]])
    assert home.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    assert home.get("/api/v1/queue/").json()["count"] == 1
    # A citizen's token scoped to another agency does not see their own dossier there either.
    assert_problem(
        api_for(office["citizen"], agencies=[office["other_agency"]]).get(f"/api/v1/dossiers/{submitted.code}/"), 404
    )


def test_scoped_token_cannot_act_where_its_roles_are_narrowed_away(office, submitted):
    from portal.models import AgencyMembership

    desk = office["desk"]
    AgencyMembership.objects.create(user=desk, agency=office["other_agency"], role="receptionist")
    response = api_for(desk, agencies=[office["other_agency"]]).post(
        f"/api/v1/dossiers/{submitted.code}/transitions/receive/"
    )
    assert_problem(response, 404)


def test_the_browser_session_works_and_needs_csrf_for_writes(office, submitted):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office["citizen"])
    assert browser.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    response = browser.post(
        f"/api/v1/dossiers/{submitted.code}/withdrawal/", {"reason": "Đổi ý"}, content_type="application/json"
    )
    assert_problem(response, 403)
    assert "CSRF" in response.json()["detail"]


def test_public_lookup_needs_no_credentials_and_shows_no_personal_data(submitted):
    response = api_for().get(f"/api/v1/lookup/{submitted.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert submitted.applicant_name not in str(body) and submitted.applicant_id_number not in str(body)
    assert_problem(api_for().get("/api/v1/lookup/NOPE-000/"), 404)
