"""The desk previews a dossier's clean PDF, JPEG or PNG inline (framed by the portal only, logged
like a download); anything unscanned, still being scanned or of another type stays download-only."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.constants import ScanStatus
from dossiers.models import Attachment
from tests.second_factor import staff_login

from .factories import PNG_BYTES

pytestmark = pytest.mark.django_db


def _attach(dossier, name, content, content_type, scan_status=ScanStatus.CLEAN):
    return Attachment.objects.create(
        dossier=dossier,
        file=SimpleUploadedFile(name, content, content_type=content_type),
        name=name,
        content_type=content_type,
        size=len(content),
        sha256="0" * 64,
        scan_status=scan_status,
    )


@pytest.fixture
def desk_client(client, office):
    staff_login(client, office["desk"])
    client.cookies["django_language"] = "en"
    return client


def test_a_clean_pdf_is_served_inline_framed_by_the_portal_only(desk_client, submitted, caplog):
    pdf = submitted.attachments.first()
    Attachment.objects.filter(pk=pdf.pk).update(scan_status=ScanStatus.CLEAN)
    with caplog.at_level(logging.INFO, logger="dossiers.reads"):
        response = desk_client.get(f"/ho-so/tep/{pdf.public_id}/xem/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "frame-ancestors 'none'" not in policy
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    (record,) = [r for r in caplog.records if r.name == "dossiers.reads"]
    assert "preview" in record.getMessage() and str(pdf.public_id) in record.getMessage()
    # The download stays a download, never framed; it is logged too.
    with caplog.at_level(logging.INFO, logger="dossiers.reads"):
        download = desk_client.get(f"/ho-so/tep/{pdf.public_id}/")
    assert download["Content-Disposition"].startswith("attachment") and download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]
    assert any("download" in r.getMessage() for r in caplog.records if r.name == "dossiers.reads")


def test_a_clean_png_is_served_inline_as_an_image(desk_client, submitted):
    png = _attach(submitted, "anh.png", PNG_BYTES, "image/png")
    response = desk_client.get(f"/ho-so/tep/{png.public_id}/xem/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content_type", "scan_status", "status"),
    [
        ("khong-quet.pdf", "application/pdf", ScanStatus.UNSCANNED, 403),
        ("dang-quet.pdf", "application/pdf", ScanStatus.PENDING, 403),
        (
            "don.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ScanStatus.CLEAN,
            403,
        ),
    ],
)
def test_only_a_scanned_clean_pdf_jpeg_or_png_is_shown_inline(
    desk_client, submitted, caplog, name, content_type, scan_status, status
):
    attachment = _attach(submitted, name, b"%PDF-1.4 data", content_type, scan_status)
    with caplog.at_level(logging.INFO, logger="dossiers.reads"):
        response = desk_client.get(f"/ho-so/tep/{attachment.public_id}/xem/")
    assert response.status_code == status
    assert "inline" not in response.get("Content-Disposition", "")
    assert response["X-Frame-Options"] == "DENY"  # the refusal page is not framed
    assert not [r for r in caplog.records if r.name == "dossiers.reads"]


def test_the_inline_file_is_checked_like_the_download(client, office, submitted):
    pdf = submitted.attachments.first()
    Attachment.objects.filter(pk=pdf.pk).update(scan_status=ScanStatus.CLEAN)
    staff_login(client, office["stranger"])  # another commune's desk
    assert client.get(f"/ho-so/tep/{pdf.public_id}/xem/").status_code == 404


def test_the_desk_page_offers_a_preview_only_for_previewable_files(desk_client, submitted):
    pdf = submitted.attachments.first()
    Attachment.objects.filter(pk=pdf.pk).update(scan_status=ScanStatus.CLEAN)
    unscanned = _attach(submitted, "khong-quet.png", PNG_BYTES, "image/png", ScanStatus.UNSCANNED)
    page = desk_client.get(f"/can-bo/ho-so/{submitted.code}/").content.decode()
    assert f'href="/ho-so/tep/{pdf.public_id}/xem/"' in page and 'data-preview="pdf"' in page
    assert f"/ho-so/tep/{unscanned.public_id}/xem/" not in page
    assert 'id="file-preview"' in page and "js/file-preview.js" in page
