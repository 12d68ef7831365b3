"""The verification page gives one verdict: never "not confirmed" next to "intact, trusted
certificate", and a PNG is "not a PDF", not "unsigned"."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.documents.test_result import _result_pdf
from tests.dossiers.factories import PNG_BYTES

pytestmark = pytest.mark.django_db


def _check(client, name, content, content_type="application/pdf"):
    client.cookies["django_language"] = "en"  # the wording checked below is the English one
    response = client.post("/xac-thuc/", {"file": SimpleUploadedFile(name, content, content_type=content_type)})
    assert response.status_code == 200
    return response.context["outcome"], response.content.decode()


def test_a_tampered_result_is_not_confirmed_and_its_signature_not_called_intact_and_trusted(
    client, english, office, tmp_path, django_capture_on_commit_callbacks
):
    dossier, path = _result_pdf(office, tmp_path, django_capture_on_commit_callbacks)
    pdf = path.read_bytes()
    outcome, page = _check(client, "ok.pdf", pdf)
    assert outcome["valid"] and outcome["verdict"] == "authentic" and dossier.code in page

    outcome, page = _check(client, "changed.pdf", pdf + b"\n% changed\n")
    assert not outcome["valid"] and outcome["verdict"] == "added"
    assert "Not confirmed" in page and "Trusted certificate" not in page
    assert "content was added to it" in page


def test_a_png_is_not_a_pdf_rather_than_unsigned(client, english):
    outcome, page = _check(client, "photo.png", PNG_BYTES, "image/png")
    assert outcome["verdict"] == "not_pdf" and not outcome["valid"]
    assert "This file is not a PDF" in page
    assert "no digital signature" not in page


def test_a_signed_receipt_is_confirmed(client, english, django_capture_on_commit_callbacks):
    from payments.models import Receipt
    from tests.payments.test_payments import fee_bearing_dossier, pay_in_sandbox

    citizen, dossier = fee_bearing_dossier()
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        pay_in_sandbox(client, dossier)
    client.logout()
    outcome, page = _check(client, "receipt.pdf", Receipt.objects.get().file.read())
    assert outcome["valid"], outcome["signature"].summary
    assert "UBND phường Trung Tâm" in page


def test_the_page_shows_the_time_stamp_and_the_long_term_validation_data(
    client, english, office, tmp_path, django_capture_on_commit_callbacks
):
    import re

    dossier, path = _result_pdf(office, tmp_path, django_capture_on_commit_callbacks)
    outcome, page = _check(client, "ok.pdf", path.read_bytes())

    check = outcome["signature"]
    assert outcome["valid"] and check.ltv and check.timestamped_at is not None, check.summary
    assert "Signed at (time stamp)" in page and "Long-term validation data" in page
    stamp = re.search(r'<dd id="verify-timestamp"><time datetime="([^"]+)">([^<]+)</time></dd>', page)
    assert stamp, page
    assert stamp.group(1).startswith(
        check.timestamped_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%dT%H:%M")
    )
    assert re.search(r'<dd id="verify-ltv" data-ltv="present">present</dd>', page), page


def test_a_baseline_signature_shows_no_time_stamp_and_no_long_term_data(client, english, tmp_path, settings):
    from weasyprint import HTML

    from portal.signing import sign_pdf

    pdf = sign_pdf(HTML(string="<p>Giấy tờ</p>").write_pdf(), reason="r", location="l", long_term=False)
    outcome, page = _check(client, "b.pdf", pdf)

    assert outcome["signature"].intact and outcome["signature"].timestamped_at is None
    assert '<dd id="verify-timestamp">No trusted time stamp</dd>' in page
    assert 'data-ltv="absent">absent</dd>' in page
