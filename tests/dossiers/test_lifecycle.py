"""The rest of the citizen journey: reception and Form 01, supplement, withdrawal, rating."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dossiers import services
from dossiers.constants import DossierStatus
from dossiers.documents import dossier_document
from dossiers.models import Dossier, DossierDocument, DossierEvent, Rating
from tests.conftest import _need

from .factories import CitizenFactory, pdf_upload, receive_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_name():
    return "Phạm Văn Đức"  # Form 01 must show it


@pytest.fixture
def submitted(office, submitted):
    """The shared submitted dossier (tests/conftest.py), as (applicant, dossier)."""
    return office["citizen"], submitted


def test_receive_sets_the_legal_due_date(submitted):
    _, dossier = submitted
    dossier = services.dossier_receive(dossier=dossier, actor=None, **receive_data(dossier))
    assert dossier.status == DossierStatus.RECEIVED and dossier.national_status == 2
    assert dossier.due_at > dossier.received_at
    assert timezone.localtime(dossier.due_at).hour == 17


def test_supplement_then_resubmission_restarts_the_deadline(submitted, django_capture_on_commit_callbacks):
    citizen, dossier = submitted
    dossier = services.dossier_receive(dossier=dossier, actor=None, **receive_data(dossier))
    with pytest.raises(ValidationError):
        services.dossier_request_supplement(dossier=dossier, actor=None, items=[{"what": "Ảnh", "why": ""}])
    request = services.dossier_request_supplement(
        dossier=dossier, actor=None, items=[{"what": "Ảnh chân dung 4x6", "why": "Ảnh mờ"}], message="Bổ sung ảnh"
    )
    assert request.round == 1
    dossier.refresh_from_db()
    assert dossier.national_status == 5
    with pytest.raises(ValidationError):
        services.dossier_resubmit(dossier=dossier, actor=citizen, uploads=[])
    photo = dossier.procedure_version.documents.get(name="Ảnh chân dung")
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(days=1))
    dossier = services.dossier_resubmit(
        dossier=dossier, actor=citizen, uploads=[(photo.pk, pdf_upload("anh.pdf"))], answer="Đã bổ sung"
    )
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.due_at > timezone.now()  # counted again from zero
    request.refresh_from_db()
    assert request.answered_at is not None and request.answer == "Đã bổ sung"
    assert dossier.attachments.filter(supplement_round=1).count() == 1


def test_supplement_window_is_a_setting(submitted, settings):
    _, dossier = submitted
    dossier = services.dossier_receive(dossier=dossier, actor=None, **receive_data(dossier))
    Dossier.objects.filter(pk=dossier.pk).update(received_at=timezone.now() - timedelta(days=20))
    dossier.refresh_from_db()
    with pytest.raises(ValidationError, match="3 ngày làm việc"):
        services.dossier_request_supplement(dossier=dossier, actor=None, items=[{"what": "x", "why": "y"}])
    settings.SUPPLEMENT_WINDOW_WORKING_DAYS = 30
    services.dossier_request_supplement(dossier=dossier, actor=None, items=[{"what": "x", "why": "y"}])


def test_withdrawal_is_requested_then_confirmed(submitted):
    citizen, dossier = submitted
    with pytest.raises(ValidationError):
        services.dossier_request_withdrawal(dossier=dossier, actor=citizen, reason="  ")
    dossier = services.dossier_request_withdrawal(dossier=dossier, actor=citizen, reason="Nộp nhầm thủ tục")
    assert dossier.national_status == 7 and dossier.status_before_interruption == DossierStatus.SUBMITTED
    dossier = services.dossier_confirm_withdrawal(dossier=dossier, actor=None)
    assert dossier.status == DossierStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.dossier_request_withdrawal(dossier=dossier, actor=citizen, reason="again")


def test_rating_after_return_editable_for_seven_days(submitted):
    citizen, dossier = submitted
    scores = dict.fromkeys(services.RATING_CRITERIA, 2)
    with pytest.raises(ValidationError):
        services.dossier_rate(dossier=dossier, actor=citizen, scores=scores)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED)
    services.dossier_rate(dossier=dossier, actor=citizen, scores=scores, comment="Nhanh")
    services.dossier_rate(dossier=dossier, actor=citizen, scores={**scores, "staff_attitude": 1})
    assert Rating.objects.get().staff_attitude == 1
    with pytest.raises(ValidationError):
        services.dossier_rate(dossier=dossier, actor=citizen, scores={**scores, "contacts": 5})
    Rating.objects.update(created_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError, match="7 ngày"), translation.override("vi"):
        services.dossier_rate(dossier=dossier, actor=citizen, scores=scores)


def test_events_are_never_changed_or_deleted(submitted):
    _, dossier = submitted
    event = DossierEvent.objects.filter(dossier=dossier).last()
    event.comment = "sửa"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_status_cannot_be_assigned_directly(submitted):
    _, dossier = submitted
    with pytest.raises(AttributeError):
        dossier.status = DossierStatus.RETURNED


def test_form01_pdf_has_the_receipt_and_a_scannable_qr(submitted, tmp_path, django_capture_on_commit_callbacks):
    _need(shutil.which("pdftotext") is not None, "needs poppler-utils (pdftotext)")
    citizen, dossier = submitted
    with django_capture_on_commit_callbacks(execute=True):  # the task renders it after commit
        dossier = services.dossier_receive(dossier=dossier, actor=None, **receive_data(dossier))
    document = DossierDocument.objects.get(dossier=dossier, kind="form01")
    pdf = tmp_path / "form01.pdf"
    pdf.write_bytes(document.file.read())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code in text and "Phạm Văn Đức" in text and "Giấy chứng sinh" in text
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "419.528 x 595.276 pts" in info  # A5
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])  # embedded
    # Rendered once: asking again returns the stored file.
    assert dossier_document(dossier, "form01", base_url="http://x").pk == document.pk
    _need(bool(shutil.which("zbarimg") and shutil.which("pdftoppm")), "needs zbar-tools and poppler-utils (pdftoppm)")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True
    ).stdout.strip()
    assert decoded.endswith(f"/tc/{dossier.code}")


def test_form01_download_only_after_reception(client, submitted):
    citizen, dossier = submitted
    client.force_login(citizen)
    assert client.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf").status_code == 404
    services.dossier_receive(dossier=dossier, actor=None, **receive_data(dossier))
    response = client.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(CitizenFactory())
    assert client.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf").status_code == 404


def test_rating_criteria_are_the_models_scored_fields():
    scored = [f.name for f in Rating._meta.get_fields() if getattr(f, "choices", None) == Rating.SCALE]
    assert list(Rating.CRITERIA) == scored and services.RATING_CRITERIA is Rating.CRITERIA
