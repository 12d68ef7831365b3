"""A real worker scans what clamd could not scan at upload, once clamd answers."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.constants import ScanStatus
from dossiers.models import Attachment
from tests.dossiers.factories import CitizenFactory, birth_procedure
from tests.dossiers.test_upload_security import pdf

from .conftest import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.clamav, pytest.mark.django_db(transaction=True)]


def test_a_pending_upload_is_scanned_by_the_worker(start_worker, tmp_path, clamd_socket, settings, monkeypatch):
    # The file goes where the worker reads it (its PRIVATE_MEDIA_ROOT), not the tests' memory.
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "private"))
    worker = start_worker(CLAMD_SOCKET=clamd_socket)
    settings.CLAMD_SOCKET = str(tmp_path / "stopped-clamd.sock")  # the web process cannot reach clamd
    citizen = CitizenFactory()
    draft = services.dossier_draft_start(applicant=citizen, version=birth_procedure())

    attachment = services.dossier_attach(
        dossier=draft, requirement_id="other", upload=SimpleUploadedFile("to-khai.pdf", pdf())
    )
    assert attachment.scan_status == ScanStatus.PENDING

    wait_for(
        lambda: Attachment.objects.get(pk=attachment.pk).scan_status == ScanStatus.CLEAN,
        60,
        lambda: f"the worker's scan:\n{worker.log()[-3000:]}",
    )
    assert "dossiers.tasks.scan_file" in worker.log()
