"""The submission wizard through its views: bad input keeps everything the citizen gave."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.constants import DossierStatus
from dossiers.models import Dossier

from .factories import PDF_BYTES, CitizenFactory, birth_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client):
    user = CitizenFactory()
    client.force_login(user)
    return user


def start(client, version):
    response = client.get(f"/thu-tuc/{version.procedure.code}/nop/")
    assert response.status_code == 302
    return response["Location"]


def post_data(version, **overrides):
    data = {
        "a-applicant_name": "Nguyễn Văn A",
        "a-applicant_id_number": "001203004567",
        "a-applicant_phone": "0912345678",
        "a-applicant_email": "a@example.vn",
        "a-applicant_address": "Số 1",
        "f-child_name": "Bé Na",
        "f-child_dob": "2026-11-01",
        "f-copies": "1",
        "d-delivery": "online",
        "action": "review",
    }
    data.update(overrides)
    return data


def test_invalid_form_and_a_bad_file_keep_the_good_file_and_the_typing(client, citizen):
    version = birth_procedure()
    url = start(client, version)
    doc = version.documents.get(name="Tờ khai")
    data = post_data(version, **{"f-child_dob": "không phải ngày"})
    data[f"files-{doc.pk}"] = [
        SimpleUploadedFile("to-khai.pdf", PDF_BYTES),
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 10),
    ]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "virus.pdf" in response.content.decode()
    draft = Dossier.objects.get()
    assert list(draft.attachments.values_list("name", flat=True)) == ["to-khai.pdf"]
    assert draft.form_data["child_name"] == "Bé Na" and draft.status == DossierStatus.DRAFT


def test_review_lists_missing_documents_and_field_errors(client, citizen):
    version = birth_procedure()
    url = start(client, version)
    response = client.post(url, post_data(version, **{"f-child_name": ""}), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["problems"]
    assert "Giấy chứng sinh" in html and "Tờ khai" in html
    assert "child_name" in response.context["problems"].form


def test_full_submission_through_the_views_and_double_submit(client, citizen):
    version = birth_procedure()
    url = start(client, version)
    data = post_data(version)
    for doc in version.documents.filter(required=True):
        data[f"files-{doc.pk}"] = SimpleUploadedFile(f"{doc.pk}.pdf", PDF_BYTES)
    review = client.post(url, data)
    assert review.status_code == 302 and review["Location"].endswith("/xem-lai/")
    assert client.get(review["Location"]).status_code == 200
    first = client.post(review["Location"])
    second = client.post(review["Location"])  # the double click
    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"] == f"/ho-so/{dossier.code}/"
    assert dossier.status == DossierStatus.SUBMITTED
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert dossier.code in page


def test_stored_document_is_offered_and_reused(client, citizen):
    version = birth_procedure()
    url = start(client, version)
    data = post_data(version)
    for doc in version.documents.filter(required=True):
        data[f"files-{doc.pk}"] = SimpleUploadedFile(f"{doc.pk}.pdf", PDF_BYTES)
    client.post(client.post(url, data)["Location"])
    other = birth_procedure()
    page = client.get(start(client, other))
    slot = next(s for s in page.context["slots"] if s["requirement"].name == "Giấy chứng sinh")
    assert len(slot["stored"]) == 1
    stored = slot["stored"][0]
    client.post(page.wsgi_request.path, post_data(other, action="upload", **{f"reuse-{slot['key']}": stored.public_id}))
    draft = Dossier.objects.get(status=DossierStatus.DRAFT)
    assert draft.attachments.get().reused_from == stored


def test_unpublished_procedure_cannot_be_started(client, citizen):
    from tests.procedures.factories import VersionFactory

    draft_version = VersionFactory()
    assert client.get(f"/thu-tuc/{draft_version.procedure.code}/nop/").status_code == 404
    assert client.get("/thu-tuc/9.999999/nop/").status_code == 404
