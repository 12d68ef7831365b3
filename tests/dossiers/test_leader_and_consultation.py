"""Leaders' "waiting for my approval" view, the specialist's appraisal report sent with the dossier
for approval, and consulted agencies answering in their own queue (feature 5)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.actions import available_transitions, dossier_act
from dossiers.constants import DossierStatus, EventKind
from dossiers.models import Dossier, DossierEvent, OfficerFile
from dossiers.selectors import officer_queue
from portal.constants import StaffRole
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login

from .factories import PDF_BYTES, PNG_BYTES, DossierFactory, StaffFactory, pdf_upload

pytestmark = pytest.mark.django_db
S = DossierStatus
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def fresh(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def dossier_in(office, state):
    return DossierFactory(state=state, applicant=office["citizen"], version=office["version"], people=office)


# --- 1. Waiting for my approval -------------------------------------------------------------------


def test_a_leader_sees_what_waits_for_their_approval_with_its_count(client, office):
    waiting = [dossier_in(office, S.AWAITING_APPROVAL) for _ in range(2)]
    dossier_in(office, S.IN_PROCESSING)  # not yet theirs to approve
    qs, counts = officer_queue(office["leader"], view="awaiting_my_approval")
    assert {d.code for d in qs} == {d.code for d in waiting} and counts["awaiting_my_approval"] == 2
    elsewhere = StaffFactory(agency=office["other_agency"], role=StaffRole.LEADER)  # not their agency's
    assert officer_queue(elsewhere, view="awaiting_my_approval")[1]["awaiting_my_approval"] == 0

    staff_login(client, office["leader"])
    page = client.get("/can-bo/ho-so/", **EN)  # a leader and nothing else starts there
    html = page.content.decode()
    assert page.context["view"] == "awaiting_my_approval"
    assert 'href="?view=awaiting_my_approval"' in html and "Waiting for my approval" in html
    assert {d.code for d in page.context["page_obj"]} == {d.code for d in waiting}


@pytest.mark.parametrize("who", ["desk", "specialist"])
def test_the_approval_view_is_shown_to_leaders_only(client, office, who):
    dossier_in(office, S.AWAITING_APPROVAL)
    staff_login(client, office[who])
    page = client.get("/can-bo/ho-so/?view=awaiting_my_approval", **EN)
    assert 'href="?view=awaiting_my_approval"' not in page.content.decode()
    assert page.context["view"] == "all"  # asked for anyway: the open dossiers instead
    assert officer_queue(office[who], view="awaiting_my_approval")[1]["awaiting_my_approval"] == 0


def test_the_approval_view_costs_the_same_queries_however_many_dossiers_wait(
    client, office, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_login(client, office["leader"])
    dossier_in(office, S.AWAITING_APPROVAL)
    client.get("/can-bo/ho-so/?view=awaiting_my_approval")  # warm (session, caches)
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/ho-so/?view=awaiting_my_approval")
    for _ in range(5):
        dossier_in(office, S.AWAITING_APPROVAL)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/can-bo/ho-so/?view=awaiting_my_approval")
    assert len(response.context["page_obj"].object_list) == 6


# --- 2. The appraisal report ----------------------------------------------------------------------


def test_the_specialist_sends_an_appraisal_report_the_leader_downloads_before_approving(client, office):
    dossier = dossier_in(office, S.IN_PROCESSING)
    staff_login(client, office["specialist"])
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/submit_for_approval/",
        {"comment": "Đủ điều kiện cấp.", "report": pdf_upload("to-trinh.pdf"), "expected_status": S.IN_PROCESSING},
    )
    assert response.status_code == 302 and fresh(dossier).status == S.AWAITING_APPROVAL
    report = OfficerFile.objects.get(dossier=dossier)
    assert report.kind == OfficerFile.Kind.APPRAISAL and report.uploaded_by == office["specialist"]
    event = DossierEvent.objects.get(dossier=dossier, kind=EventKind.SUBMITTED_FOR_APPROVAL)
    assert event.data["appraisal_report"] == {"id": str(report.public_id), "name": report.name}
    assert event.comment == "Đủ điều kiện cấp."

    client.logout()
    staff_login(client, office["leader"])
    desk = client.get(f"/can-bo/ho-so/{dossier.code}/", **EN).content.decode()
    link = f"/can-bo/ho-so/{dossier.code}/tep-noi-bo/{report.public_id}/"
    assert f'href="{link}"' in desk and "Appraisal report" in desk
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment")


def test_the_appraisal_report_is_never_the_applicants_nor_an_outsiders(client, office):
    dossier = dossier_in(office, S.IN_PROCESSING)
    dossier_act(
        dossier=dossier,
        name="submit_for_approval",
        actor=office["specialist"],
        data={"comment": ""},
        files={"report": pdf_upload("to-trinh-noi-bo.pdf")},
    )
    report = OfficerFile.objects.get(dossier=dossier)
    link = f"/can-bo/ho-so/{dossier.code}/tep-noi-bo/{report.public_id}/"
    client.force_login(office["citizen"])
    assert client.get(link).status_code == 404
    assert report.name not in client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert not fresh(dossier).attachments.filter(name=report.name, sha256=report.sha256).exists()
    client.logout()
    staff_login(client, office["stranger"])
    assert client.get(link).status_code == 404


def test_a_report_that_is_not_a_pdf_is_refused_and_nothing_changes(client, office):
    dossier = dossier_in(office, S.IN_PROCESSING)
    staff_login(client, office["specialist"])
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/submit_for_approval/",
        {"comment": "x", "report": SimpleUploadedFile("anh.png", PNG_BYTES)},
        **EN,
    )
    assert response.status_code == 400 and "Attach the report as a PDF file." in response.content.decode()
    assert fresh(dossier).status == S.IN_PROCESSING and not OfficerFile.objects.exists()
    assert not DossierEvent.objects.filter(dossier=dossier, kind=EventKind.SUBMITTED_FOR_APPROVAL).exists()


def test_without_a_report_submitting_for_approval_works_as_before(office):
    dossier = dossier_in(office, S.IN_PROCESSING)
    dossier_act(dossier=dossier, name="submit_for_approval", actor=office["specialist"], data={"comment": "Ok"})
    assert fresh(dossier).status == S.AWAITING_APPROVAL and not OfficerFile.objects.exists()


# --- 3. The consulted agency answers in its own queue ---------------------------------------------


@pytest.fixture
def consulting(office):
    police = AgencyFactory(code="000.00.19.H99", name="Công an tỉnh")
    people = {
        "expert": StaffFactory(agency=police, role=StaffRole.SPECIALIST, full_name="Chuyên viên Công an"),
        "chief": StaffFactory(agency=police, role=StaffRole.LEADER, full_name="Lãnh đạo Công an"),
    }
    dossier = dossier_in(office, S.IN_PROCESSING)
    dossier_act(
        dossier=dossier,
        name="consult",
        actor=office["specialist"],
        data={"agency": police.pk, "working_days": 2, "question": "Xác minh nơi cư trú?"},
    )
    return fresh(dossier), police, people


def test_the_competent_specialist_can_no_longer_type_the_consulted_agencys_answer(office, consulting):
    dossier, _police, _people = consulting
    assert "record_consultation" not in available_transitions(office["specialist"], dossier)
    with pytest.raises(PermissionDenied):
        dossier_act(dossier=dossier, name="record_consultation", actor=office["specialist"], data={"answer": "Đúng"})
    assert fresh(dossier).status == S.CONSULTING


@pytest.mark.parametrize("who", ["expert", "chief"])
def test_the_consulted_agency_sees_it_in_its_own_queue_with_the_due_date(client, office, consulting, who):
    dossier, _police, people = consulting
    sent = DossierEvent.objects.get(dossier=dossier, kind=EventKind.CONSULTATION_SENT)
    qs, counts = officer_queue(people[who], view="consulted")
    assert [d.code for d in qs] == [dossier.code] and counts["consulted"] == 1
    assert officer_queue(office["specialist"], view="consulted")[1]["consulted"] == 0  # the asking side's not

    staff_login(client, people[who])
    page = client.get("/can-bo/ho-so/?view=consulted", **EN)
    html = page.content.decode()
    assert 'href="?view=consulted"' in html and "Asked for our opinion" in html
    row = page.context["page_obj"].object_list[0]
    assert row.consultation_due_at.isoformat() == sent.data["consultation_due_at"]
    assert f'data-consultation-due="{row.consultation_due_at.isoformat()}"' in html
    desk = client.get(f"/can-bo/ho-so/{dossier.code}/", **EN)
    actions = [a["name"] for a in desk.context["actions"]]
    assert actions == ["record_consultation"]  # read-only but for the answer
    assert 'id="consultation-due"' in desk.content.decode()
    assert "Xác minh nơi cư trú?" in desk.content.decode().split('id="consultation-question"')[1][:400]


def test_the_consulted_agencys_officer_answers_with_a_file_and_the_timeline_names_the_agency(
    client, office, consulting
):
    dossier, police, people = consulting
    staff_login(client, people["chief"])
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/record_consultation/",
        {"answer": "Đúng địa chỉ thường trú.", "answer_file": pdf_upload("tra-loi.pdf")},
    )
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == S.IN_PROCESSING and dossier.consulted_agency_id is None
    event = DossierEvent.objects.get(dossier=dossier, kind=EventKind.CONSULTATION_ANSWERED)
    answer_file = OfficerFile.objects.get(dossier=dossier, kind=OfficerFile.Kind.CONSULTATION)
    assert event.agency == police and event.actor == people["chief"] and event.role == StaffRole.LEADER
    assert event.comment == "Đúng địa chỉ thường trú." and event.data["file"]["id"] == str(answer_file.public_id)
    assert answer_file.agency == police

    client.logout()
    staff_login(client, office["specialist"])  # back at the competent agency: the answer and who gave it
    desk = client.get(f"/can-bo/ho-so/{dossier.code}/", **EN).content.decode()
    assert "Đúng địa chỉ thường trú." in desk and police.name in desk
    assert f"/can-bo/ho-so/{dossier.code}/tep-noi-bo/{answer_file.public_id}/" in desk
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep-noi-bo/{answer_file.public_id}/").status_code == 200


def test_an_officer_of_another_agency_cannot_answer(office, consulting):
    dossier, _police, _people = consulting
    outsider = StaffFactory(agency=AgencyFactory(), role=StaffRole.LEADER)
    assert "record_consultation" not in available_transitions(outsider, dossier)


def test_an_api_client_sends_the_appraisal_report_as_multipart(office):
    from rest_framework.test import APIClient

    dossier = dossier_in(office, S.IN_PROCESSING)
    api = APIClient()
    api.force_authenticate(office["specialist"])
    listed = api.get(f"/api/v1/dossiers/{dossier.code}/transitions/").json()
    params = {p["name"]: p["type"] for t in listed if t["name"] == "submit_for_approval" for p in t["parameters"]}
    assert params == {"comment": "text", "report": "file"}
    response = api.post(
        f"/api/v1/dossiers/{dossier.code}/transitions/submit_for_approval/",
        {"comment": "Đủ điều kiện", "report": pdf_upload("bao-cao.pdf")},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert OfficerFile.objects.get(dossier=dossier).kind == OfficerFile.Kind.APPRAISAL


def test_the_api_queue_gives_the_consulted_agency_its_answer_due_date(office, consulting):
    from rest_framework.test import APIClient

    dossier, _police, people = consulting
    sent = DossierEvent.objects.get(dossier=dossier, kind=EventKind.CONSULTATION_SENT)
    api = APIClient()
    api.force_authenticate(people["expert"])
    body = api.get("/api/v1/queue/?view=consulted").json()
    assert body["counts"]["consulted"] == 1 and [row["code"] for row in body["results"]] == [dossier.code]
    from datetime import datetime

    due = body["results"][0]["consultation_due_at"]
    assert datetime.fromisoformat(due) == datetime.fromisoformat(sent.data["consultation_due_at"])
    assert due.endswith("+07:00")  # written like the queue's other times
    assert api.get("/api/v1/queue/?view=all").json()["results"][0]["consultation_due_at"] is None


def test_officer_files_are_listed_read_only_in_the_admin(admin_client, office):
    dossier = dossier_in(office, S.IN_PROCESSING)
    dossier_act(
        dossier=dossier, name="submit_for_approval", actor=office["specialist"], data={}, files={"report": pdf_upload()}
    )
    page = admin_client.get("/admin/dossiers/officerfile/")
    assert page.status_code == 200 and dossier.code in page.content.decode()
    assert admin_client.get("/admin/dossiers/officerfile/add/").status_code == 403
