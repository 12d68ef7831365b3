"""The signed result: the procedure's own template from the catalogue, dates in Vietnamese words,
signed with the certificate of the agency that decides (the one the paper names)."""

import json
import re
import shutil
import subprocess

import pytest

from demo.seed import DEMO_CATALOGUE
from dossiers.constants import DossierStatus
from dossiers.documents import dossier_document
from procedures.catalogue_io import CatalogueError, import_catalogue
from procedures.models import ProcedureVersion
from tests.conftest import _need
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _result_pdf(office, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(
            state=DossierStatus.FINISHED, applicant=office["citizen"], version=office["version"], people=office
        )
    path = tmp_path / "result.pdf"
    path.write_bytes(dossier_document(dossier, "result", base_url="http://x").file.read())
    return dossier, path


def _text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_standard_result_is_signed_by_the_deciding_agency_with_dates_in_words(
    office, tmp_path, django_capture_on_commit_callbacks
):
    _need(bool(shutil.which("pdfsig") and shutil.which("pdftotext")), "needs poppler-utils (pdfsig, pdftotext)")
    dossier, path = _result_pdf(office, tmp_path, django_capture_on_commit_callbacks)
    signatures = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signer Certificate Common Name: UBND phường Trung Tâm" in signatures
    text = _text(path)
    assert "ngày 01 tháng 11 năm 2026" in text  # the child's date of birth from the form
    assert ISO_DATE.search(text) is None
    assert "Đăng ký khai sinh" in text or dossier.procedure_version.name in text


def test_result_uses_the_procedures_template_and_formats_its_dates(
    office, tmp_path, django_capture_on_commit_callbacks
):
    _need(shutil.which("pdftotext") is not None, "needs poppler-utils (pdftotext)")
    ProcedureVersion.objects.filter(pk=office["version"].pk).update(
        result_template="<h1>GIẤY KHAI SINH</h1><p>Họ tên: {{ form.child_name }}</p>"
        "<p>Ngày sinh: {{ form.child_dob }}</p><p>Cấp {{ today|long_date }}</p>"
    )
    _, path = _result_pdf(office, tmp_path, django_capture_on_commit_callbacks)
    text = _text(path)
    assert "GIẤY KHAI SINH" in text and "Nguyễn Văn Bé" in text
    assert "Ngày 01 tháng 11 năm 2026" in text and re.search(r"Cấp ngày \d{2} tháng \d{1,2} năm \d{4}", text)
    assert ISO_DATE.search(text) is None


def test_the_catalogue_carries_a_result_template():
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    entry = data["procedures"][0]
    entry["result_template"] = "<h1>GIẤY KHAI SINH</h1><p>{{ form.child_name }}</p>"
    import_catalogue(json.dumps(data))
    version = ProcedureVersion.objects.get(procedure__code=entry["code"], archived_at__isnull=True)
    assert version.result_template == entry["result_template"]

    entry["result_template"] = "{% load static %}"
    with pytest.raises(CatalogueError, match="result_template"):
        import_catalogue(json.dumps(data))


def test_demo_pki_has_one_certificate_per_agency_named_after_it(tmp_path):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from portal.signing import ensure_demo_pki

    ensure_demo_pki(tmp_path, agencies={"000.20.00.H99": "UBND phường Trung Tâm", "000.00.12.H99": "Sở Tư pháp"})
    for code, name in (("000.20.00.H99", "UBND phường Trung Tâm"), ("000.00.12.H99", "Sở Tư pháp")):
        cert = x509.load_pem_x509_certificate((tmp_path / "agencies" / f"{code}.pem").read_bytes())
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == name
        assert (tmp_path / "agencies" / f"{code}.key").stat().st_mode & 0o077 == 0


def test_production_never_signs_an_agency_paper_with_another_certificate(settings, tmp_path):
    from portal.signing import SigningNotConfigured, ensure_demo_pki, sign_pdf

    identity = ensure_demo_pki(tmp_path)
    settings.RESULT_SIGNING_CA = str(identity.ca_cert)
    settings.RESULT_SIGNING_AGENCY_DIR = str(tmp_path / "none")
    settings.RESULT_SIGNING_DEMO_ISSUE = False
    with pytest.raises(SigningNotConfigured, match="000.20.00.H99"):
        sign_pdf(b"%PDF-1.4", reason="x", location="y", agency_code="000.20.00.H99", agency_name="UBND phường")


def test_demo_birth_registration_result_is_a_birth_certificate_signed_by_its_ward(tmp_path):
    _need(bool(shutil.which("pdfsig") and shutil.which("pdftotext")), "needs poppler-utils (pdfsig, pdftotext)")
    from dossiers.documents import form_context, render_result
    from tests.documents.test_form01_fits import _longest_dossier

    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    version = ProcedureVersion.objects.get(procedure__code="1.001193", archived_at__isnull=True)
    dossier = _longest_dossier(version)
    dossier.form_data = {
        "child_name": "Lê Minh An",
        "child_sex": "Nam",
        "child_dob": "2026-11-20",
        "birth_place": "Bệnh viện Đa khoa tỉnh Thái An",
        "mother_name": "Lê Thị Mai",
    }
    path = tmp_path / "ks.pdf"
    path.write_bytes(render_result(dossier, form_context(dossier, "http://x")))
    text = _text(path)
    assert "GIẤY KHAI SINH" in text and "LÊ MINH AN" in text and "Ngày 20 tháng 11 năm 2026" in text
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" not in text and ISO_DATE.search(text) is None
    signatures = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert f"Signer Certificate Common Name: {version.agency.name}" in signatures
