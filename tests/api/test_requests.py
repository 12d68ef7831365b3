"""Input handling: problem+json for every error, idempotent POSTs, 409s, throttling, odd inputs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier
from portal.models import IdempotencyRecord
from tests.dossiers.factories import PDF_BYTES, receive_data

from .conftest import api_for, assert_problem

pytestmark = pytest.mark.django_db


def create(api, office, key=None, **extra):
    body = {"procedure": office["version"].procedure.code, "form_data": {"child_name": "Bé"}, **extra}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/api/v1/dossiers/", body, format="json", **headers)


def test_the_same_idempotency_key_twice_makes_one_dossier_and_replays_the_answer(office):
    api = api_for(office["citizen"])
    first = create(api, office, key="k-1")
    again = create(api, office, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Dossier.objects.filter(applicant=office["citizen"]).count() == 1


def test_the_same_key_with_another_body_is_422(office):
    api = api_for(office["citizen"])
    create(api, office, key="k-2")
    response = create(api, office, key="k-2", delivery="counter")
    assert_problem(response, 422)


def test_keys_belong_to_their_owner(office):
    create(api_for(office["citizen"]), office, key="shared")
    response = create(api_for(office["other_citizen"]), office, key="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_a_key_in_progress_gets_409_and_a_failed_request_releases_its_key(office):
    api = api_for(office["citizen"])
    client = office["citizen"].api_clients.get()
    IdempotencyRecord.objects.create(
        owner=f"client:{client.pk}", key="busy", method="POST", path="/api/v1/dossiers/", request_hash="x"
    )
    response = create(api, office, key="busy")
    assert_problem(response, 422)  # different fingerprint: refused, not run
    # A request that fails keeps nothing: sent again with the key, it runs.
    bad = api.post("/api/v1/dossiers/", {"procedure": "no-such"}, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert_problem(bad, 400, "procedure")
    assert not IdempotencyRecord.objects.filter(key="retry").exists()


def test_an_in_progress_duplicate_is_409_with_retry_after(office):
    api = api_for(office["citizen"])
    create(api, office, key="k-3")
    IdempotencyRecord.objects.filter(key="k-3").update(status_code=None, response_body=None)
    response = create(api, office, key="k-3")
    assert_problem(response, 409)
    assert response["Retry-After"] == "1"


@pytest.mark.parametrize("url", ["submit/", "withdrawal/"])
def test_other_posts_are_idempotent_too(office, submitted, url):
    api = api_for(office["citizen"])
    body = {"reason": "Không cần nữa"}
    first = api.post(f"/api/v1/dossiers/{submitted.code}/{url}", body, format="json", HTTP_IDEMPOTENCY_KEY="w")
    again = api.post(f"/api/v1/dossiers/{submitted.code}/{url}", body, format="json", HTTP_IDEMPOTENCY_KEY="w")
    assert first.status_code == 200 and again["Idempotent-Replayed"] == "true"


def test_a_transition_twice_with_one_key_happens_once(office, submitted):
    api = api_for(office["desk"])
    url = f"/api/v1/dossiers/{submitted.code}/transitions/receive/"
    ticked = receive_data(submitted)
    assert api.post(url, ticked, format="json", HTTP_IDEMPOTENCY_KEY="r").status_code == 200
    again = api.post(url, ticked, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert submitted.events.filter(kind="received").count() == 1
    # Without the key, the second one is refused: not possible now.
    body = assert_problem(api.post(url), 409)
    assert "receive" in body["detail"].lower() or body["detail"]


def test_an_attachment_upload_replays_with_the_same_file(office):
    api = api_for(office["citizen"])
    draft = create(api, office).json()
    requirement = draft["problems"]["missing_documents"][0]["id"]

    def upload(content=PDF_BYTES):
        return api.post(
            f"/api/v1/dossiers/{draft['public_id']}/attachments/",
            {
                "requirement": requirement,
                "file": SimpleUploadedFile("a.pdf", content, content_type="application/pdf"),
            },
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="file-1",
        )

    assert upload().status_code == 201
    assert upload()["Idempotent-Replayed"] == "true"
    assert_problem(upload(PDF_BYTES + b"% other"), 422)
    assert Dossier.objects.get(public_id=draft["public_id"]).attachments.count() == 1


def test_expected_status_guards_against_a_change_meanwhile(office, submitted):
    response = api_for(office["desk"]).post(
        f"/api/v1/dossiers/{submitted.code}/transitions/receive/", {"expected_status": "received"}, format="json"
    )
    assert_problem(response, 409)


def test_transition_parameters_are_checked_field_by_field(office, submitted):
    api = api_for(office["desk"])
    api.post(f"/api/v1/dossiers/{submitted.code}/transitions/receive/", receive_data(submitted), format="json")
    response = api.post(f"/api/v1/dossiers/{submitted.code}/transitions/assign/", {"specialist": 999999}, format="json")
    assert_problem(response, 400, "specialist")
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/transitions/fly/"), 404)
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/transitions/assign/", [1, 2], format="json"), 400)


def test_malformed_json_is_a_400_problem(office, submitted):
    api = api_for(office["citizen"])
    response = api.post("/api/v1/dossiers/", data='{"procedure": ', content_type="application/json")
    assert_problem(response, 400)
    response = api.post(
        f"/api/v1/dossiers/{submitted.code}/withdrawal/",
        data="{",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bad-json",
    )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"procedure": ["x"]}, "procedure"),
        ({"procedure": "1", "form_data": {"child_name": {"nested": 1}}}, "form_data.child_name"),
        ({"procedure": "1", "fee_quantities": {"1": 10**12}}, "fee_quantities.1"),
        ({"procedure": "1", "delivery": "pigeon"}, "delivery"),
        ({"procedure": "1", "applicant": "me"}, "applicant.non_field_errors"),
        ({"procedure": "x" * 5000}, "procedure"),
    ],
)
def test_odd_inputs_are_400_naming_the_field(office, body, field):
    assert_problem(api_for(office["citizen"]).post("/api/v1/dossiers/", body, format="json"), 400, field)


def test_unknown_filter_values_are_400_naming_the_parameter(office, submitted):
    assert_problem(api_for(office["desk"]).get("/api/v1/queue/", {"view": "everything"}), 400, "view")
    assert_problem(api_for(office["desk"]).get("/api/v1/queue/", {"status": "lost"}), 400, "status")
    assert_problem(api_for(office["citizen"]).get("/api/v1/dossiers/", {"status": "lost"}), 400, "status")
    assert_problem(api_for().get("/api/v1/procedures/", {"agency": "nowhere"}), 400, "agency")
    assert_problem(api_for().get("/api/v1/procedures/", {"level": "galaxy"}), 400, "level")
    assert_problem(api_for(office["citizen"]).get("/api/v1/notifications/", {"unread": "maybe"}), 400, "unread")


def test_405_415_and_unknown_paths_are_problems(office):
    api = api_for(office["citizen"])
    response = api.delete("/api/v1/dossiers/")
    assert_problem(response, 405)
    assert_problem(api.post("/api/v1/dossiers/", data="<x/>", content_type="application/xml"), 415)
    assert_problem(api.get("/api/v1/no-such-thing/"), 404)
    assert_problem(api.get("/api/v1/procedures/", {"page": 999}), 404)


def test_throttling_is_per_client_with_retry_after(office):
    limited = api_for(office["citizen"], rate="3/min")
    for _ in range(3):
        assert limited.get("/api/v1/dossiers/").status_code == 200
    response = limited.get("/api/v1/dossiers/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    # Another client of the same person has its own budget.
    assert api_for(office["citizen"]).get("/api/v1/dossiers/").status_code == 200


def test_submit_incomplete_names_every_missing_thing_and_changes_nothing(office):
    api = api_for(office["citizen"])
    draft = api.post(
        "/api/v1/dossiers/",
        {"procedure": office["version"].procedure.code, "applicant": {"applicant_phone": "12"}},
        format="json",
    ).json()
    response = api.post(f"/api/v1/dossiers/{draft['public_id']}/submit/")
    body = assert_problem(response, 400)
    assert {"applicant.applicant_phone", "form_data.child_name", "documents"} <= set(body["errors"])
    assert Dossier.objects.get(public_id=draft["public_id"]).status == "draft"


def test_patch_changes_only_what_is_sent(office):
    api = api_for(office["citizen"])
    draft = create(api, office).json()
    response = api.patch(f"/api/v1/dossiers/{draft['public_id']}/", {"form_data": {"copies": 2}}, format="json")
    assert response.status_code == 200
    assert response.json()["form_data"] == {**draft["form_data"], "copies": 2}
    assert response.json()["applicant_name"] == draft["applicant_name"]
