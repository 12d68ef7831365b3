"""GET/POST /api/v1/dossiers/{ref}/messages/: the thread for the applicant and the officers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.constants import EventKind
from dossiers.models import DossierEvent, DossierMessage
from tests.api.conftest import api_for, assert_problem
from tests.dossiers.factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_applicant_and_desk_exchange_messages_through_the_api(office, submitted):
    citizen, desk = api_for(office["citizen"]), api_for(office["desk"])
    url = f"/api/v1/dossiers/{submitted.code}/messages/"
    created = citizen.post(url, {"body": "Xin hỏi tiến độ hồ sơ", "files": [pdf_upload()]}, format="multipart")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["sender"] == "applicant" and data["body"] == "Xin hỏi tiến độ hồ sơ" and len(data["attachments"]) == 1
    assert data["read_at"] is None
    thread = desk.get(url).json()  # the desk reads it: marked read
    assert [m["body"] for m in thread] == ["Xin hỏi tiến độ hồ sơ"]
    assert DossierMessage.objects.get().read_at is not None
    answer = desk.post(url, {"body": "Hồ sơ đang được thẩm định."}, format="json")
    assert answer.status_code == 201 and answer.json()["sender"] == "staff"
    mine = citizen.get(url).json()
    assert [m["sender"] for m in mine] == ["applicant", "staff"]
    assert mine[1]["author"] is None  # officers' names stay with staff
    assert DossierEvent.objects.filter(dossier=submitted, kind=EventKind.MESSAGE).count() == 2


def test_another_citizen_and_another_agency_get_404(office, submitted):
    url = f"/api/v1/dossiers/{submitted.code}/messages/"
    for user in (office["other_citizen"], office["stranger"]):
        api = api_for(user)
        assert_problem(api.get(url), 404)
        assert_problem(api.post(url, {"body": "x"}, format="json"), 404)
    assert not DossierMessage.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_is_a_400_and_nothing_stored(office, submitted, body):
    response = api_for(office["citizen"]).post(
        f"/api/v1/dossiers/{submitted.code}/messages/", {"body": body}, format="json"
    )
    assert_problem(response, 400, "body")
    assert not DossierMessage.objects.exists()


def test_a_refused_file_is_a_422_and_nothing_stored(office, submitted):
    response = api_for(office["citizen"]).post(
        f"/api/v1/dossiers/{submitted.code}/messages/",
        {"body": "Gửi kèm", "files": [SimpleUploadedFile("a.pdf", b"not a pdf at all")]},
        format="multipart",
    )
    assert_problem(response, 422, "files")
    assert not DossierMessage.objects.exists()
