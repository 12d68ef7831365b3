"""The officer workflow: every transition through dossier_act, per role, with deadlines and audit."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dossiers import services
from dossiers.actions import TransitionConflict, available_transitions, dossier_act
from dossiers.constants import DossierStatus, EventKind, Timeliness
from dossiers.deadlines import classify
from dossiers.models import Dossier, DossierDocument, DossierEvent, StoredDocument
from portal.constants import StaffRole
from tests.conftest import _need
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login

from .factories import CitizenFactory, StaffFactory, receive_data

pytestmark = pytest.mark.django_db
S = DossierStatus
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def staff(agency, role, name):
    return StaffFactory(agency=agency, role=role, full_name=name)


@pytest.fixture
def office(office, submitted):
    """The shared commune (tests/conftest.py) with its citizen's submitted dossier, as (dossier, people)."""
    return submitted, office


def act(dossier, name, actor, **data):
    return dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=actor, data=data)


HAPPY_PATH = [
    ("receive", "desk", {}),
    ("assign", "desk", {"specialist": "specialist"}),
    ("submit_for_approval", "specialist", {"comment": "Đủ điều kiện"}),
    ("approve", "leader", {}),
    ("issue_result", "leader", {}),
    ("return_result", "desk", {"collected_by": ""}),
]


def advance(dossier, people, upto: str):
    """Take the dossier along the happy path up to (not including) transition `upto`."""
    for name, who, data in HAPPY_PATH:
        if name == upto:
            return Dossier.objects.get(pk=dossier.pk)
        data = {k: people[v].pk if k == "specialist" else v for k, v in data.items()}
        if name == "receive":
            data = receive_data(dossier)
        act(dossier, name, people[who], **data)
    return Dossier.objects.get(pk=dossier.pk)


def test_happy_path_ends_with_a_signed_result_in_the_citizens_store(office, django_capture_on_commit_callbacks):
    dossier, people = office
    with django_capture_on_commit_callbacks(execute=True):
        dossier = advance(dossier, people, upto="end")
    assert dossier.status == S.RETURNED and dossier.national_status == 10
    assert dossier.timeliness == Timeliness.EARLY  # finished the day it was received, due days later
    kinds = list(dossier.events.values_list("kind", flat=True))
    assert kinds[-6:] == [
        EventKind.RECEIVED,
        EventKind.ASSIGNED,
        EventKind.SUBMITTED_FOR_APPROVAL,
        EventKind.APPROVED,
        EventKind.RESULT_ISSUED,
        EventKind.RESULT_RETURNED,
    ]
    result = DossierDocument.objects.get(dossier=dossier, kind="result")
    from portal.signing import verify_pdf

    check = verify_pdf(result.file.read())
    assert check.signed and check.intact and check.trusted
    assert StoredDocument.objects.filter(owner=people["citizen"], source="result").count() == 1


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("receive", {"desk"}),
        ("refuse_reception", {"desk"}),
        ("assign", {"desk", "leader"}),
        ("submit_for_approval", {"specialist"}),
        ("approve", {"leader"}),
        ("send_back", {"leader"}),
        ("issue_result", {"leader"}),
        ("return_result", {"desk"}),
    ],
)
def test_each_transition_only_for_its_roles(office, name, allowed):
    dossier, people = office
    stage = {"refuse_reception": "receive", "send_back": "approve"}.get(name, name)
    dossier = advance(dossier, people, upto=stage)
    for who, person in people.items():
        assert (name in available_transitions(person, dossier)) == (who in allowed), (name, who)
    for who in set(people) - allowed:
        with pytest.raises(PermissionDenied):
            act(
                dossier,
                name,
                people[who],
                reasons="x",
                comment="x",
                specialist=people["specialist"].pk,
                collected_by="",
            )


def test_a_transition_not_possible_now_is_a_conflict(office):
    dossier, people = office
    with pytest.raises(TransitionConflict):
        act(dossier, "approve", people["leader"])
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


def test_stale_page_says_who_changed_the_dossier(office):
    dossier, people = office
    act(dossier, "receive", people["desk"], **receive_data(dossier))
    with pytest.raises(TransitionConflict, match="Cán bộ Một cửa"):
        dossier_act(
            dossier=dossier,
            name="refuse_reception",
            actor=people["desk"],
            data={"reasons": "x"},
            expected_status=S.SUBMITTED,
        )
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.RECEIVED).count() == 1


def test_refusals_and_supplements_need_reasons(office):
    dossier, people = office
    with pytest.raises(ValidationError) as error:
        act(dossier, "refuse_reception", people["desk"], reasons="  ")
    assert "reasons" in error.value.message_dict
    with pytest.raises(ValidationError):
        act(dossier, "request_supplement", people["desk"], items="Ảnh chân dung")  # no reason given
    act(dossier, "request_supplement", people["desk"], items="Ảnh chân dung — ảnh cũ quá 6 tháng")
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUPPLEMENT_REQUESTED


def test_refuse_reception_issues_form_03_and_ends_the_dossier(office, django_capture_on_commit_callbacks):
    dossier, people = office
    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "refuse_reception", people["desk"], reasons="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.status == S.NOT_RECEIVED and dossier.national_status == 3 and dossier.timeliness
    assert DossierDocument.objects.filter(dossier=dossier, kind="form03").exists()


def test_extension_once_only_and_not_too_late(office, settings):
    dossier, people = office
    dossier = advance(dossier, people, upto="submit_for_approval")
    new_date = (timezone.localtime(dossier.due_at) + timedelta(days=7)).date()
    act(dossier, "extend", people["leader"], new_due_date=new_date, reasons="Chờ xác minh")
    dossier.refresh_from_db()
    assert dossier.extended_at and dossier.original_due_at < dossier.due_at
    with pytest.raises(TransitionConflict, match="một lần|once"):
        act(dossier, "extend", people["leader"], new_due_date=new_date + timedelta(days=3), reasons="Lần hai")


def test_extension_refused_after_the_notice_day(office):
    dossier, people = office
    dossier = advance(dossier, people, upto="submit_for_approval")
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationError, match="1"):
        act(dossier, "extend", people["leader"], new_due_date=timezone.localdate() + timedelta(days=10), reasons="Muộn")
    assert Dossier.objects.get(pk=dossier.pk).extended_at is None


def test_withdrawal_confirmed_by_the_desk(office):
    dossier, people = office
    services.dossier_request_withdrawal(dossier=dossier, actor=people["citizen"], reason="Nộp nhầm")
    with pytest.raises(PermissionDenied):
        act(dossier, "confirm_withdrawal", people["leader"])
    act(dossier, "confirm_withdrawal", people["desk"])
    assert Dossier.objects.get(pk=dossier.pk).status == S.WITHDRAWN


def test_leader_sends_back_and_stops(office):
    dossier, people = office
    dossier = advance(dossier, people, upto="approve")
    with pytest.raises(ValidationError):
        act(dossier, "send_back", people["leader"], comment="")
    act(dossier, "send_back", people["leader"], comment="Bổ sung ý kiến xác minh")
    assert Dossier.objects.get(pk=dossier.pk).status == S.IN_PROCESSING
    act(dossier, "stop", people["leader"], reasons="Người nộp đã mất")
    assert Dossier.objects.get(pk=dossier.pk).national_status == 8


def test_consultation_and_payment_round_trips(office):
    dossier, people = office
    dossier = advance(dossier, people, upto="submit_for_approval")
    other = AgencyFactory(code="000.00.19.H99", name="Công an tỉnh")
    act(dossier, "consult", people["specialist"], agency=other.pk, working_days=2, question="Xác minh cư trú?")
    consultee = staff(other, StaffRole.SPECIALIST, "Chuyên viên công an")
    dossier.refresh_from_db()
    assert dossier.status == S.CONSULTING and "record_consultation" in available_transitions(consultee, dossier)
    act(dossier, "record_consultation", consultee, answer="Đúng địa chỉ")
    act(dossier, "request_payment", people["specialist"], amount=50000)
    assert Dossier.objects.get(pk=dossier.pk).national_status == 6
    # The desk's word alone settles nothing; recording the money received confirms the payment.
    with pytest.raises(ValidationError):
        act(dossier, "confirm_payment", people["desk"])
    assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_PAYMENT
    from payments.services import payment_record_at_counter

    payment = payment_record_at_counter(dossier=Dossier.objects.get(pk=dossier.pk), actor=people["desk"])
    assert (payment.status, payment.amount) == ("paid", 50000)
    assert Dossier.objects.get(pk=dossier.pk).status == S.IN_PROCESSING


def test_a_specialist_acts_only_on_dossiers_assigned_to_them(office):
    dossier, people = office
    dossier = advance(dossier, people, upto="submit_for_approval")
    colleague = staff(dossier.competent_agency, StaffRole.SPECIALIST, "Chuyên viên khác")
    with pytest.raises(PermissionDenied):
        act(dossier, "submit_for_approval", colleague)
    act(dossier, "assign", people["leader"], specialist=colleague.pk)  # the leader re-assigns
    act(dossier, "submit_for_approval", colleague)


def test_cross_boundary_dossier_can_be_received_at_any_desk(office):
    dossier, people = office
    version = dossier.procedure_version
    type(version).objects.filter(pk=version.pk).update(cross_boundary=True)
    Dossier.objects.filter(pk=dossier.pk).update(cross_boundary=True)  # as submission copies it
    dossier = Dossier.objects.get(pk=dossier.pk)
    act(dossier, "receive", people["stranger"], **receive_data(dossier))
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED and dossier.receiving_agency.code == "000.99.00.H99"
    assert dossier.competent_agency == version.agency  # routed to the competent agency


def test_classification_across_tet():
    due = datetime(2026, 2, 13, 17, 0, tzinfo=VN)  # the Friday before Tết
    assert classify(ended_at=datetime(2026, 2, 12, 10, 0, tzinfo=VN), due_at=due) == Timeliness.EARLY
    assert classify(ended_at=datetime(2026, 2, 13, 16, 0, tzinfo=VN), due_at=due) == Timeliness.ON_TIME
    assert classify(ended_at=datetime(2026, 2, 23, 9, 0, tzinfo=VN), due_at=due) == Timeliness.LATE
    assert classify(ended_at=datetime(2026, 2, 12, 10, 0, tzinfo=VN), due_at=due, supplement_requests=2) == "late"


def test_steps_get_their_own_deadlines_and_form_05_lists_the_handoffs(office, tmp_path):
    import shutil
    import subprocess

    dossier, people = office
    dossier = advance(dossier, people, upto="approve")
    assert dossier.step_due_at is not None and dossier.step_due_at <= dossier.due_at + timedelta(days=1)
    from dossiers.documents import dossier_document

    document = dossier_document(dossier, "form05", base_url="http://x")
    _need(shutil.which("pdftotext") is not None, "needs poppler-utils (pdftotext)")
    pdf = tmp_path / "f05.pdf"
    pdf.write_bytes(document.file.read())
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())  # table cells wrap on A5
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    for name in ("Cán bộ Một cửa", "Chuyên viên"):
        assert name in text
    assert "Trước hạn" in text or "Đúng hạn" in text


def test_register_exports_csv_and_xlsx(office, client):
    dossier, people = office
    advance(dossier, people, upto="assign")
    staff_login(client, people["desk"])
    response = client.get("/can-bo/so-theo-doi/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "Mã hồ sơ" and rows[1][1] == dossier.code
    response = client.get("/can-bo/so-theo-doi/", {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=3, column=2).value == dossier.code
    client.force_login(people["citizen"])
    assert client.get("/can-bo/so-theo-doi/").status_code == 404


def test_counter_intake_files_and_receives_for_a_walk_in(office, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import PDF_BYTES

    dossier, people = office
    version = dossier.procedure_version
    walk_in = CitizenFactory(personal_id="079203004567", personal_id_verified=True)  # the dossier shows up in it
    CitizenFactory(personal_id="079203004567")  # only claims the number (typed at sign-up): gets nothing
    staff_login(client, people["desk"])
    draft_url = client.get(f"/can-bo/tiep-nhan/{version.procedure.code}/")["Location"]
    data = {
        "a-applicant_name": "Bà Ba",
        "a-applicant_id_number": "079203004567",
        "a-applicant_phone": "0987654321",
        "a-applicant_email": "",
        "a-applicant_address": "Xóm 3",
        "f-child_name": "Bé Tư",
        "f-child_dob": "2026-10-01",
        "d-delivery": "counter",
        "action": "review",
    }
    for doc in version.documents.filter(required=True):
        data[f"files-{doc.pk}"] = SimpleUploadedFile("scan.pdf", PDF_BYTES)
    review = client.post(draft_url, data)
    response = client.post(review["Location"])
    filed = Dossier.objects.exclude(pk=dossier.pk).get()
    assert response["Location"] == f"/can-bo/ho-so/{filed.code}/"
    assert (filed.status, filed.channel, filed.applicant) == (S.RECEIVED, "counter", walk_in)
    assert client.get(f"/ho-so/{filed.code}/phieu-tiep-nhan.pdf").status_code == 200
    client.force_login(people["citizen"])
    assert client.get("/can-bo/tiep-nhan/").status_code == 404


def test_queue_views_count_and_list(office):
    from dossiers.selectors import officer_queue

    dossier, people = office
    dossier = advance(dossier, people, upto="submit_for_approval")
    qs, counts = officer_queue(people["specialist"], view="mine")
    assert [d.code for d in qs] == [dossier.code] and counts["mine"] == 1
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=1))
    qs, counts = officer_queue(people["leader"], view="needs_apology")
    assert counts["overdue"] == 1 and counts["needs_apology"] == 1 and qs.get().code == dossier.code
    _, stranger_counts = officer_queue(people["stranger"], view="all")
    assert stranger_counts["all"] == 0


FORMULA = '=HYPERLINK("http://x","y")'


def test_register_csv_xlsx_formula_injection_is_neutralised(office, client):
    from openpyxl import load_workbook

    dossier, people = office
    advance(dossier, people, upto="assign")
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name=FORMULA)
    staff_login(client, people["desk"])
    rows = list(
        csv.reader(io.StringIO(client.get("/can-bo/so-theo-doi/", {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert rows[1][3] == "'" + FORMULA
    assert rows[1][0] == "1"  # the row number is not touched
    sheet = load_workbook(io.BytesIO(client.get("/can-bo/so-theo-doi/", {"format": "xlsx"}).content)).active
    cell = sheet.cell(row=3, column=4)
    assert cell.data_type == "s" and cell.value == "'" + FORMULA
    assert sheet.cell(row=3, column=1).value == 1  # numbers stay numbers
