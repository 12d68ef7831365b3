"""Counter intake (#13): only the one-stop desk takes dossiers in, only for what it may receive,
with the officer's wording, and nothing is left behind when it is refused."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.actions import dossier_counter_submit
from dossiers.constants import Channel, Delivery, DossierStatus
from dossiers.models import Dossier, DossierEvent
from procedures.models import ProcedureVersion
from tests.api.conftest import api_for, assert_problem
from tests.second_factor import staff_login

from .factories import CitizenFactory, pdf_upload

pytestmark = pytest.mark.django_db
S = DossierStatus


@pytest.mark.parametrize("who", ["specialist", "leader"])
def test_specialist_or_leader_opening_counter_intake_gets_a_clear_403_and_no_menu_entry(office, client, who):
    staff_login(client, office[who])
    code = office["version"].procedure.code
    for url in ("/can-bo/tiep-nhan/", f"/can-bo/tiep-nhan/{code}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "one-stop desk" in response.content.decode() or "một cửa" in response.content.decode().lower()
    assert not Dossier.objects.exists()
    assert 'href="/can-bo/tiep-nhan/"' not in client.get("/can-bo/ho-so/").content.decode()


def test_the_desk_sees_counter_intake_in_its_menu(office, client):
    staff_login(client, office["desk"])
    assert 'href="/can-bo/tiep-nhan/"' in client.get("/can-bo/ho-so/").content.decode()


def test_a_desk_finds_and_starts_only_what_it_may_receive(office, client):
    """The other commune's desk cannot take in this commune's (non-cross-boundary) procedure."""
    version = office["version"]
    staff_login(client, office["stranger"])
    listed = client.get("/can-bo/tiep-nhan/", {"q": version.procedure.code}).content.decode()
    assert f"/can-bo/tiep-nhan/{version.procedure.code}/" not in listed
    response = client.get(f"/can-bo/tiep-nhan/{version.procedure.code}/")
    assert response.status_code == 403
    assert version.agency.name in response.content.decode()
    assert not Dossier.objects.exists()
    # Its own desk finds it, and so would any desk for a cross-boundary procedure.
    staff_login(client, office["desk"])
    listed = client.get("/can-bo/tiep-nhan/", {"q": version.procedure.code}).content.decode()
    assert f"/can-bo/tiep-nhan/{version.procedure.code}/" in listed
    ProcedureVersion.objects.filter(pk=version.pk).update(cross_boundary=True)
    staff_login(client, office["stranger"])
    listed = client.get("/can-bo/tiep-nhan/", {"q": version.procedure.code}).content.decode()
    assert f"/can-bo/tiep-nhan/{version.procedure.code}/" in listed
    draft_url = client.get(f"/can-bo/tiep-nhan/{version.procedure.code}/")["Location"]
    assert Dossier.objects.get().receiving_agency == office["other_agency"] and "/ho-so/nhap/" in draft_url


def _counter_draft(office, desk):
    draft = Dossier.objects.create(  # as the old intake page left it: another agency's dossier
        procedure_version=office["version"],
        filed_by=desk,
        channel=Channel.COUNTER,
        delivery=Delivery.COUNTER,
        receiving_agency=office["version"].agency,
        competent_agency=office["version"].agency,
    )
    services.dossier_draft_update(
        dossier=draft,
        applicant_data={
            "applicant_name": "Bà Ba",
            "applicant_id_number": "079203004567",
            "applicant_phone": "",
            "applicant_address": "Xóm 3",
        },
        form_data={"child_name": "Bé Tư", "child_dob": "2026-10-01"},
        delivery="counter",
        delivery_address="",
    )
    for doc in office["version"].documents.filter(required=True):
        services.dossier_attach(dossier=draft, requirement_id=doc.pk, upload=pdf_upload())
    return Dossier.objects.get(pk=draft.pk)


def test_a_refused_counter_submission_rolls_back_entirely(office):
    draft = _counter_draft(office, office["stranger"])
    with pytest.raises(PermissionDenied):
        dossier_counter_submit(dossier=draft, actor=office["stranger"])
    draft.refresh_from_db()
    assert (draft.status, draft.code, draft.submitted_at) == (S.DRAFT, None, None)
    assert not DossierEvent.objects.filter(dossier=draft).exists()


def test_counter_draft_page_speaks_to_the_officer_and_defaults_to_the_desk(office, client):
    staff_login(client, office["desk"])
    draft_url = client.get(f"/can-bo/tiep-nhan/{office['version'].procedure.code}/")["Location"]
    page = client.get(draft_url).content.decode()
    assert 'href="/can-bo/tiep-nhan/"' in page.split("</nav>", 2)[1]  # the breadcrumb leads back to intake
    assert "Filled in from your profile" not in page and "Điền sẵn từ hồ sơ cá nhân" not in page
    radios = re.findall(r'<input type="radio" name="d-delivery"[^>]*>', page)
    assert [r for r in radios if "checked" in r] == [r for r in radios if 'value="counter"' in r] != []
    assert Dossier.objects.get().delivery == Delivery.COUNTER
    draft = _counter_draft(office, office["desk"])  # complete, with no phone number
    review = client.get(f"/ho-so/nhap/{draft.public_id}/xem-lai/").content.decode()
    assert (
        'href="/can-bo/tiep-nhan/"' in review.split("</nav>", 2)[1]
        and 'href="/ho-so/"' not in review.split("</nav>", 2)[1]
    )


def test_a_walk_in_needs_no_phone_number(office):
    draft = _counter_draft(office, office["desk"])
    assert not services.dossier_problems(draft).applicant
    online = Dossier.objects.create(
        procedure_version=office["version"],
        applicant=office["citizen"],
        receiving_agency=office["version"].agency,
        competent_agency=office["version"].agency,
        applicant_name="X",
        applicant_id_number="079203004567",
        applicant_address="Y",
    )
    assert "applicant_phone" in services.dossier_problems(online).applicant  # online, it stays required


def test_the_desk_fills_the_applicant_from_a_verified_id_number(office, client):
    known = CitizenFactory(
        full_name="Trần Thị Bốn", personal_id="079203009999", personal_id_verified=True, address="Thôn 4"
    )
    CitizenFactory(full_name="Kẻ Mạo Danh", personal_id="079203008888")  # typed at sign-up, not verified
    staff_login(client, office["desk"])
    draft_url = client.get(f"/can-bo/tiep-nhan/{office['version'].procedure.code}/")["Location"]
    response = client.post(
        draft_url, {"action": "find_applicant", "find-id_number": "079203009999", "f-child_name": "Bé Năm"}
    )
    assert response.status_code == 302
    draft = Dossier.objects.get()
    assert draft.form_data["child_name"] == "Bé Năm"  # what the officer had typed is kept
    assert (draft.applicant_name, draft.applicant_id_number, draft.applicant_address) == (
        "Trần Thị Bốn",
        "079203009999",
        "Thôn 4",
    )
    assert draft.applicant is None  # linked at submission, as before
    typed = {"a-applicant_name": "Trần Thị Bốn", "a-applicant_id_number": "079203009999"}  # as the page posts them
    response = client.post(draft_url, {"action": "find_applicant", "find-id_number": "079203008888", **typed})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()  # not found: says so
    assert Dossier.objects.get().applicant_name == "Trần Thị Bốn"
    assert known.full_name in client.get(draft_url).content.decode()


def test_the_api_refuses_a_counter_draft_the_desk_may_not_receive_and_creates_nothing(office):
    response = api_for(office["stranger"]).post(
        "/api/v1/dossiers/", {"procedure": office["version"].procedure.code, "channel": "counter"}, format="json"
    )
    assert_problem(response, 400, "channel")
    assert not Dossier.objects.exists()
