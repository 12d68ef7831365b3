"""The leader reads the result before signing it: rendered like the result, but unsigned, marked
"BẢN XEM TRƯỚC — CHƯA KÝ", shown inline and never stored; only for officers who may read the dossier."""

import shutil
import subprocess

import pytest

from dossiers.constants import DossierStatus
from dossiers.models import DossierDocument, StoredDocument
from portal.constants import StaffRole
from tests.conftest import _need
from tests.dossiers.factories import DossierFactory, StaffFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db
WATERMARK = "BẢN XEM TRƯỚC — CHƯA KÝ"


@pytest.fixture
def awaiting(office):
    return DossierFactory(
        state=DossierStatus.AWAITING_APPROVAL, applicant=office["citizen"], version=office["version"], people=office
    )


def test_the_leader_previews_the_result_unsigned_and_marked_as_a_preview(client, office, awaiting, tmp_path):
    _need(bool(shutil.which("pdfsig") and shutil.which("pdftotext")), "needs poppler-utils (pdfsig, pdftotext)")
    staff_login(client, office["leader"])
    desk = client.get(f"/can-bo/ho-so/{awaiting.code}/").content.decode()
    assert f'href="/can-bo/ho-so/{awaiting.code}/ket-qua-xem-truoc.pdf"' in desk and 'id="result-preview"' in desk

    response = client.get(f"/can-bo/ho-so/{awaiting.code}/ket-qua-xem-truoc.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    path = tmp_path / "preview.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert WATERMARK in " ".join(text.split()) and office["citizen"].full_name in text
    sig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert "does not contain any signatures" in sig.stdout + sig.stderr
    # Never stored as the result, nor put in the citizen's store.
    assert not DossierDocument.objects.filter(dossier=awaiting).exclude(kind__in=["form01", "form05"]).exists()
    assert not StoredDocument.objects.filter(source_dossier=awaiting, source="result").exists()


def test_no_preview_once_signed_nor_for_officers_who_may_not_read_the_dossier(client, office, awaiting):
    finished = DossierFactory(
        state=DossierStatus.FINISHED, applicant=office["citizen"], version=office["version"], people=office
    )
    staff_login(client, office["leader"])
    assert client.get(f"/can-bo/ho-so/{finished.code}/ket-qua-xem-truoc.pdf").status_code == 404
    assert 'id="result-preview"' not in client.get(f"/can-bo/ho-so/{finished.code}/").content.decode()
    for outsider in (
        office["stranger"],  # another commune's desk
        StaffFactory(agency=office["agency"], role=StaffRole.SPECIALIST),  # a colleague not assigned
    ):
        client.logout()
        staff_login(client, outsider)
        assert client.get(f"/can-bo/ho-so/{awaiting.code}/ket-qua-xem-truoc.pdf").status_code == 404
    client.logout()
    client.force_login(office["citizen"])  # the applicant has no officer pages
    assert client.get(f"/can-bo/ho-so/{awaiting.code}/ket-qua-xem-truoc.pdf").status_code == 404
