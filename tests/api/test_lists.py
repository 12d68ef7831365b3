"""List endpoints: a constant number of queries per page, whatever the rows; pages; the other endpoints' happy paths."""

import pytest

from dossiers import services
from dossiers.actions import dossier_act
from portal.models import Notification
from tests.dossiers.factories import filled_draft, receive_data

from .conftest import api_for, assert_problem

pytestmark = pytest.mark.django_db


def many_dossiers(office, count):
    citizen = office["citizen"]
    for _ in range(count):
        services.dossier_submit(dossier=filled_draft(citizen, office["version"]), actor=citizen)


@pytest.mark.parametrize(
    "who, url",
    [
        ("citizen", "/api/v1/dossiers/"),
        ("desk", "/api/v1/queue/"),
        ("leader", "/api/v1/queue/?view=all"),
        ("citizen", "/api/v1/notifications/"),
        (None, "/api/v1/procedures/"),
        (None, "/api/v1/agencies/"),
    ],
)
def test_a_page_costs_the_same_queries_for_1_or_30_rows(office, django_assert_max_num_queries, who, url):
    api = api_for(office[who]) if who else api_for()
    many_dossiers(office, 1)
    with django_assert_max_num_queries(10) as one:
        assert api.get(url).status_code == 200
    many_dossiers(office, 29)
    with django_assert_max_num_queries(len(one.captured_queries)) as thirty:
        response = api.get(url, {"page_size": 30})
    assert response.status_code == 200
    if url.startswith(("/api/v1/dossiers", "/api/v1/queue")):
        assert len(response.json()["results"]) == 30
    assert len(thirty.captured_queries) <= len(one.captured_queries)


def test_pages_are_capped(office):
    many_dossiers(office, 3)
    body = api_for(office["citizen"]).get("/api/v1/dossiers/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    body = api_for(office["citizen"]).get("/api/v1/dossiers/", {"page_size": 100000}).json()
    assert len(body["results"]) == 3


def test_catalogue_search_ignores_diacritics(office):
    version = office["version"]
    api = api_for()
    found = api.get("/api/v1/procedures/", {"q": "thu nghiem"}).json()
    assert version.procedure.code in [row["code"] for row in found["results"]]
    assert api.get("/api/v1/procedures/", {"q": "zzzz"}).json()["count"] == 0
    detail = api.get(f"/api/v1/procedures/{version.procedure.code}/").json()
    assert [d["name"] for d in detail["documents"]][:1] == ["Tờ khai"]
    assert_problem(api.get("/api/v1/procedures/9.999999/"), 404)
    assert office["agency"].code in [a["code"] for a in api.get("/api/v1/agencies/").json()["results"]]


def test_my_dossiers_filter_by_status_and_code(office, submitted):
    api = api_for(office["citizen"])
    assert api.get("/api/v1/dossiers/", {"status": "submitted"}).json()["count"] == 1
    assert api.get("/api/v1/dossiers/", {"status": "returned"}).json()["count"] == 0
    assert api.get("/api/v1/dossiers/", {"code": submitted.code[-4:]}).json()["count"] == 1


def test_inbox_lists_and_marks_read(office, submitted):
    citizen = office["citizen"]
    Notification.objects.create(
        key="k",
        recipient=citizen,
        channel="inbox",
        address=f"user:{citizen.pk}",
        event="received",
        dossier_code=submitted.code,
        subject="Đã tiếp nhận",
        body="...",
    )
    api = api_for(citizen)
    inbox = api.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert inbox["count"] >= 1
    first = inbox["results"][0]["id"]
    response = api.post(f"/api/v1/notifications/{first}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert Notification.objects.get(pk=first).read_at is not None
    assert_problem(api_for(office["other_citizen"]).post(f"/api/v1/notifications/{first}/read/"), 404)


def test_withdrawal_asks_the_desk(office, submitted):
    api = api_for(office["citizen"])
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/withdrawal/", {}, format="json"), 400, "reason")
    response = api.post(f"/api/v1/dossiers/{submitted.code}/withdrawal/", {"reason": "Đổi ý"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawal_requested"
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/withdrawal/", {"reason": "x"}, format="json"), 409)
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/rating/", {}, format="json"), 400)


def test_supplement_request_and_response(office, submitted):
    desk = api_for(office["desk"])
    # Asked after reception, the answer goes on to appraisal ("received"); asked at reception it goes
    # back to the desk (tests/dossiers/test_supplement_round_trip.py).
    assert (
        desk.post(
            f"/api/v1/dossiers/{submitted.code}/transitions/receive/", receive_data(submitted), format="json"
        ).status_code
        == 200
    )
    response = desk.post(
        f"/api/v1/dossiers/{submitted.code}/transitions/request_supplement/",
        {"items": "Ảnh chân dung — thiếu ảnh", "message": "Bổ sung giúp"},
        format="json",
    )
    assert response.status_code == 200, response.content
    api = api_for(office["citizen"])
    assert "supplement_response" in api.get(f"/api/v1/dossiers/{submitted.code}/").json()["applicant_actions"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dossiers.factories import PDF_BYTES

    requirement = office["version"].documents.get(name="Ảnh chân dung").pk
    response = api.post(
        f"/api/v1/dossiers/{submitted.code}/supplement-response/",
        {
            "answer": "Đã bổ sung",
            f"files-{requirement}": SimpleUploadedFile("anh.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/supplement-response/", {"answer": "x"}), 409)


def test_payment_start_and_status(office, submitted, settings):
    from dossiers.models import Dossier

    Dossier.objects.filter(pk=submitted.pk).update(fee_due=50000)
    api = api_for(office["citizen"])
    assert_problem(
        api.post(f"/api/v1/dossiers/{submitted.code}/payments/", {"method": "bitcoin"}, format="json"), 400, "method"
    )
    response = api.post(f"/api/v1/dossiers/{submitted.code}/payments/", {"method": "vietqr"}, format="json")
    assert response.status_code == 201, response.content
    payment = response.json()
    assert payment["amount"] == 50000 and payment["status"] == "pending" and payment["vietqr"]["payload"]
    sandbox = api.post(f"/api/v1/dossiers/{submitted.code}/payments/", {"method": "sandbox"}, format="json").json()
    assert sandbox["redirect_url"].startswith("http")
    assert api.get(f"/api/v1/payments/{payment['id']}/").json()["status"] == "pending"
    assert_problem(api_for(office["other_citizen"]).get(f"/api/v1/payments/{payment['id']}/"), 404)
    # Reading the status shows the address last sent, and does not move the time reconciliation asks about.
    from payments.models import Payment

    sent_at = Payment.objects.get(reference=sandbox["id"]).requested_at
    assert api.get(f"/api/v1/payments/{sandbox['id']}/").json()["redirect_url"] == sandbox["redirect_url"]
    assert Payment.objects.get(reference=sandbox["id"]).requested_at == sent_at


def test_no_fee_to_pay_is_409(office, submitted):
    response = api_for(office["citizen"]).post(
        f"/api/v1/dossiers/{submitted.code}/payments/", {"method": "vietqr"}, format="json"
    )
    assert_problem(response, 409)


def test_counter_filing_by_the_desk_is_received_on_submit(office):
    desk = api_for(office["desk"])
    citizen = office["other_citizen"]
    citizen.personal_id_verified = True  # proved by the e-identity: counter dossiers reach the account
    citizen.save(update_fields=["personal_id_verified"])
    draft = desk.post(
        "/api/v1/dossiers/",
        {
            "procedure": office["version"].procedure.code,
            "channel": "counter",
            "applicant": {
                "applicant_name": citizen.full_name,
                "applicant_id_number": citizen.personal_id,
                "applicant_phone": citizen.phone,
                "applicant_address": "Số 2",
            },
            "form_data": {"child_name": "Bé", "child_dob": "2026-11-01"},
            "delivery": "counter",
        },
        format="json",
    )
    assert draft.status_code == 201, draft.content
    ref = draft.json()["public_id"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dossiers.factories import PDF_BYTES

    for missing in draft.json()["problems"]["missing_documents"]:
        desk.post(
            f"/api/v1/dossiers/{ref}/attachments/",
            {
                "requirement": missing["id"],
                "file": SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf"),
            },
            format="multipart",
        )
    response = desk.post(f"/api/v1/dossiers/{ref}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert api_for(citizen).get("/api/v1/dossiers/").json()["count"] == 1


def test_a_citizen_cannot_file_at_the_counter(office):
    response = api_for(office["citizen"]).post(
        "/api/v1/dossiers/", {"procedure": office["version"].procedure.code, "channel": "counter"}, format="json"
    )
    assert_problem(response, 400)


def test_officer_transition_list_names_parameters(office, submitted):
    dossier_act(dossier=submitted, name="receive", actor=office["desk"], data=receive_data(submitted))
    transitions = {
        t["name"]: t for t in api_for(office["leader"]).get(f"/api/v1/dossiers/{submitted.code}/transitions/").json()
    }
    assert "assign" in transitions
    assert transitions["assign"]["parameters"][0]["name"] == "specialist"


def test_queue_total_is_the_views_count_and_right_with_filters(office):
    many_dossiers(office, 3)
    desk = api_for(office["desk"])
    body = desk.get("/api/v1/queue/", {"view": "to_receive", "page_size": 2}).json()
    assert body["count"] == body["counts"]["to_receive"] == 3 and len(body["results"]) == 2 and body["next"]
    code = body["results"][0]["code"]
    narrowed = desk.get("/api/v1/queue/", {"view": "to_receive", "q": code}).json()
    assert narrowed["count"] == 1 and narrowed["counts"]["to_receive"] == 3
