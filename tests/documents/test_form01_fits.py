"""Form 01 is one page for every procedure of the demo catalogue, even with the longest data."""

import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from demo.seed import DEMO_CATALOGUE
from dossiers.documents import form_context, render_form
from dossiers.models import Attachment, Dossier, DossierDocument
from procedures.catalogue_io import import_catalogue
from procedures.models import ProcedureVersion
from tests.conftest import _need

pytestmark = pytest.mark.django_db

# As long as the dossier's fields allow (applicant_address and delivery_address: 255 characters).
LONG_ADDRESS = (
    "Số nhà 1234/56/78 đường Nguyễn Thị Minh Khai nối dài, khu phố Bình Minh Thượng, tổ dân phố số 15, "
    "phường Nghĩa Thành Trung, thành phố Thái An, tỉnh Thái An, gần chợ đầu mối nông sản và trường tiểu học"
)[:255]
LONG_NAME = "Nguyễn Hoàng Phương Thảo Thị Ngọc Bích Khuê Tôn Nữ Huyền Trân"
LONG_FILE = "ban-sao-chung-thuc-giay-to-tuy-than-cua-nguoi-yeu-cau-va-nguoi-duoc-uy-quyen-nop-thay-{n}.pdf"


def _page_count(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "form01.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _longest_dossier(version: ProcedureVersion) -> Dossier:
    now = timezone.now()
    dossier = Dossier.objects.create(
        procedure_version=version,
        code=f"{version.agency.code}-261120-{version.pk:04d}",
        applicant_name=LONG_NAME,
        applicant_id_number="001234567890",
        applicant_phone="+84912345678901"[:15],
        applicant_email="nguyen.hoang.phuong.thao.thi.ngoc@congthongtin.thaian.gov.vn",
        applicant_address=LONG_ADDRESS,
        channel="postal",
        delivery="post",
        delivery_address=LONG_ADDRESS,
        receiving_agency=version.agency,
        competent_agency=version.agency,
        received_at=now,
        due_at=now,
    )
    documents = list(version.documents.all())
    for requirement in [*documents, None]:  # two files in every slot, and two "other documents"
        for n in (1, 2):
            Attachment.objects.create(
                dossier=dossier,
                requirement=requirement,
                file=f"x/{n}.pdf",
                name=LONG_FILE.format(n=n),
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
            )
    return dossier


def test_form01_is_one_page_for_every_demo_procedure_with_the_longest_data(tmp_path):
    _need(shutil.which("pdfinfo") is not None, "needs poppler-utils (pdfinfo)")
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    versions = list(ProcedureVersion.objects.filter(published_at__isnull=False, archived_at__isnull=True))
    assert len(versions) >= 31
    spilled = []
    with translation.override("vi"):
        for version in versions:
            dossier = _longest_dossier(version)
            context = form_context(dossier, "http://127.0.0.1:8000")
            pdf = render_form(DossierDocument.Kind.FORM01, dossier, context)
            if (pages := _page_count(pdf, tmp_path)) != 1:
                spilled.append(f"{version.procedure.code}: {pages} pages")
    assert spilled == []
