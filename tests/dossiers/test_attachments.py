"""Attachments: size limits, type by content, safe names, SHA-256, private storage."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.files import DOCX, PDF, safe_name

from .factories import PDF_BYTES, CitizenFactory, big_upload, birth_procedure, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    citizen = CitizenFactory()
    return services.dossier_draft_start(applicant=citizen, version=birth_procedure())


def test_pdf_is_stored_privately_with_hash(draft):
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=pdf_upload("Giấy tờ.pdf"))
    assert attachment.content_type == PDF and attachment.size == len(PDF_BYTES)
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.name == "Giấy tờ.pdf"
    assert attachment.file.name.startswith(f"dossiers/{draft.public_id}/")
    assert attachment.file.storage.base_url is None or "private" not in (attachment.file.storage.base_url or "")


def test_renamed_executable_is_refused_by_content(draft):
    fake = SimpleUploadedFile("hop-dong.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError, match="hop-dong.pdf"):
        services.dossier_attach(dossier=draft, requirement_id="other", upload=fake)
    assert not draft.attachments.exists()


def test_image_named_pdf_is_stored_as_what_it_is(draft):
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=png_upload("scan.pdf"))
    assert (attachment.content_type, attachment.name) == ("image/png", "scan.png")


def test_path_traversal_name_is_sanitized(draft):
    attachment = services.dossier_attach(
        dossier=draft, requirement_id="other", upload=pdf_upload("../../etc/passwd;rm -rf.pdf")
    )
    assert attachment.name == "passwd_rm -rf.pdf"
    assert ".." not in attachment.file.name and "/etc/" not in attachment.file.name
    assert safe_name("..\\..\\windows\\evil.pdf", PDF) == "evil.pdf"
    assert safe_name("\x00\x1f.pdf", PDF) == "tep.pdf"


def test_file_over_the_limit_names_file_and_limit(draft, settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 1024 * 1024
    with pytest.raises(ValidationError) as error:
        services.dossier_attach(
            dossier=draft, requirement_id="other", upload=big_upload(2 * 1024 * 1024, "scan-lon.pdf")
        )
    assert "scan-lon.pdf" in error.value.messages[0] and "1 MB" in error.value.messages[0]


def test_dossier_total_limit(draft, settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 2 * 1024 * 1024
    settings.ATTACHMENT_MAX_DOSSIER_SIZE = 3 * 1024 * 1024
    services.dossier_attach(dossier=draft, requirement_id="other", upload=big_upload(2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="3 MB"):
        services.dossier_attach(dossier=draft, requirement_id="other", upload=big_upload(2 * 1024 * 1024))
    assert draft.attachments.count() == 1


def test_docx_is_recognized_by_its_parts(draft):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    attachment = services.dossier_attach(
        dossier=draft, requirement_id="other", upload=SimpleUploadedFile("don.bin", buffer.getvalue())
    )
    assert (attachment.content_type, attachment.name) == (DOCX, "don.docx")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("virus.exe", "MZ")
    with pytest.raises(ValidationError):
        services.dossier_attach(
            dossier=draft, requirement_id="other", upload=SimpleUploadedFile("x.docx", plain_zip.getvalue())
        )
