"""The e-receipt says "Ký điện tử": it is signed, with the collecting agency's certificate, and
its QR code says what it opens."""

import shutil
import subprocess

import pytest

from payments.models import Receipt
from portal.signing import verify_pdf
from tests.conftest import _need
from tests.payments.test_payments import fee_bearing_dossier, pay_in_sandbox

pytestmark = pytest.mark.django_db


def test_receipt_is_signed_by_the_collecting_agency_and_its_qr_names_the_dossier_lookup(
    client, tmp_path, django_capture_on_commit_callbacks
):
    _need(bool(shutil.which("pdfsig") and shutil.which("pdftotext")), "needs poppler-utils (pdfsig, pdftotext)")
    citizen, dossier = fee_bearing_dossier()
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        pay_in_sandbox(client, dossier)
    pdf = Receipt.objects.get().file.read()
    check = verify_pdf(pdf)
    assert check.signed and check.intact and check.trusted and check.unmodified, check.summary
    assert check.ltv and check.timestamped_at is not None, check.summary  # PAdES B-LT, like results
    assert check.signer == dossier.receiving_agency.name == "UBND phường Trung Tâm"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    signatures = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signer Certificate Common Name: UBND phường Trung Tâm" in signatures
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "Tra cứu biên lai" not in text  # the QR opens the dossier's lookup, and says so
    assert f"Tra cứu hồ sơ {dossier.code}" in text and "/xac-thuc/" in text
