"""The whole journey by API only, each person with their own token: the citizen files, the
one-stop desk receives, the leader assigns, the specialist appraises, the leader approves and
issues the result, the desk returns it, the citizen rates it."""

import pytest

from dossiers.constants import DossierStatus as S
from dossiers.models import Dossier
from tests.dossiers.factories import PDF_BYTES, receive_data

from .conftest import api_for

pytestmark = pytest.mark.django_db


def test_a_dossier_goes_from_draft_to_returned_through_the_api_only(office):
    citizen = api_for(office["citizen"])
    desk, specialist, leader = (api_for(office[k]) for k in ("desk", "specialist", "leader"))
    code = office["version"].procedure.code

    # The catalogue tells what to send.
    detail = citizen.get(f"/api/v1/procedures/{code}/").json()
    required = [d["id"] for d in detail["documents"] if d["required"]]
    assert [f["name"] for f in detail["form_schema"]] == ["child_name", "child_dob", "copies"]

    # The citizen opens a draft with the form filled in; the profile prefills the applicant.
    response = citizen.post(
        "/api/v1/dossiers/",
        {
            "procedure": code,
            "form_data": {"child_name": "Nguyễn Văn Bé", "child_dob": "2026-11-01"},
            "delivery": "online",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="draft-1",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["code"] is None
    assert draft["applicant_name"] == "Công Dân"
    assert [d["id"] for d in draft["problems"]["missing_documents"]] == required
    ref = draft["public_id"]

    # Submitting too early names what is missing.
    response = citizen.post(f"/api/v1/dossiers/{ref}/submit/")
    assert response.status_code == 400
    assert "documents" in response.json()["errors"]

    from django.core.files.uploadedfile import SimpleUploadedFile

    for requirement in required:
        upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF_BYTES, content_type="application/pdf")
        response = citizen.post(
            f"/api/v1/dossiers/{ref}/attachments/", {"requirement": requirement, "file": upload}, format="multipart"
        )
        assert response.status_code == 201, response.content
    response = citizen.post(f"/api/v1/dossiers/{ref}/submit/", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert response.status_code == 200, response.content
    dossier = response.json()
    assert dossier["status"] == "submitted" and dossier["code"]
    code = dossier["code"]

    def act(client, name, **data):
        available = [t["name"] for t in client.get(f"/api/v1/dossiers/{code}/transitions/").json()]
        assert name in available, (name, available)
        response = client.post(f"/api/v1/dossiers/{code}/transitions/{name}/", data, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    queue = desk.get("/api/v1/queue/", {"view": "to_receive"}).json()
    assert [row["code"] for row in queue["results"]] == [code]
    ticked = receive_data(Dossier.objects.get(code=code))
    assert act(desk, "receive", **ticked)["status"] == S.RECEIVED
    specialists = leader.get(f"/api/v1/dossiers/{code}/transitions/").json()
    assign = next(t for t in specialists if t["name"] == "assign")
    choice = next(c["value"] for c in assign["parameters"][0]["choices"] if c["label"] == "Chuyên viên")
    assert act(leader, "assign", specialist=choice)["status"] == S.IN_PROCESSING
    assert act(specialist, "submit_for_approval", comment="Đủ điều kiện")["status"] == S.AWAITING_APPROVAL
    assert act(leader, "approve")["status"] == S.APPROVED
    assert act(leader, "issue_result")["status"] == S.FINISHED
    assert act(desk, "return_result", collected_by="")["status"] == S.RETURNED

    # The citizen follows it: public events only, the documents, and rates the service.
    timeline = citizen.get(f"/api/v1/dossiers/{code}/timeline/").json()
    assert "assigned" not in [e["kind"] for e in timeline]  # an internal step
    assert {"submitted", "received", "result_returned"} <= {e["kind"] for e in timeline}
    documents = {d["kind"]: d for d in citizen.get(f"/api/v1/dossiers/{code}/documents/").json()}
    assert {"form01", "result"} <= set(documents)
    pdf = citizen.get(documents["result"]["download_url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    response = citizen.post(
        f"/api/v1/dossiers/{code}/rating/",
        {
            "time_to_result": 2,
            "contacts": 2,
            "published_information": 2,
            "staff_attitude": 1,
            "online_service": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Dossier.objects.get(code=code).rating.staff_attitude == 1
