"""Uploads cannot plant malware: a virus scan (real clamd), archive limits, no active PDFs; files
clamd could not scan wait, unopenable, for the worker, which quarantines what it finds."""

import io
import logging
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils import generic as g
from pyhanko.pdf_utils.writer import PdfFileWriter

from dossiers import services, tasks
from dossiers.constants import EventKind, ScanStatus
from dossiers.files import FileRefused
from dossiers.models import Attachment, Dossier, StoredDocument
from portal.models import AgencyMembership, Notification
from tests.clamd import EICAR
from tests.second_factor import staff_login

from .factories import CitizenFactory, birth_procedure, filled_draft, receive_data

pytestmark = pytest.mark.django_db


# --- Files built here --------------------------------------------------------------------------


def docx(extra: dict | None = None) -> bytes:
    """A well-formed Word document (the parts Word needs), with extra parts if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>Đơn đề nghị</w:p></w:body></w:document>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pdf(action: dict | None = None, *, in_object_stream: bool = False) -> bytes:
    """A one-page PDF; with `action`, opened by it (/OpenAction), optionally inside an object stream."""
    writer = PdfFileWriter(stream_xrefs=True)
    writer.insert_page(
        g.DictionaryObject(
            {
                g.NameObject("/Type"): g.NameObject("/Page"),
                g.NameObject("/MediaBox"): g.ArrayObject([g.NumberObject(n) for n in (0, 0, 595, 842)]),
            }
        )
    )
    if action is not None:
        stream = writer.prepare_object_stream() if in_object_stream else None
        ref = writer.add_object(g.DictionaryObject({g.NameObject(k): v for k, v in action.items()}), obj_stream=stream)
        writer.root[g.NameObject("/OpenAction")] = ref
        writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


JAVASCRIPT = {"/S": g.NameObject("/JavaScript"), "/JS": g.pdf_string("app.launchURL('http://x.example');")}
LAUNCH = {"/S": g.NameObject("/Launch"), "/F": g.pdf_string("cmd.exe")}
GOTO_PAGE = {"/S": g.NameObject("/GoTo"), "/D": g.ArrayObject([g.NumberObject(0), g.NameObject("/Fit")])}


def upload(content: bytes, name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def draft(citizen):
    return services.dossier_draft_start(applicant=citizen, version=birth_procedure())


@pytest.fixture
def clamd_down(settings, tmp_path):
    """A scanner is configured but does not answer (stopped, or its socket gone)."""
    settings.CLAMD_SOCKET = str(tmp_path / "stopped-clamd.sock")
    settings.CLAMD_HOST = ""


def officer_of(dossier):
    officer = CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=dossier.receiving_agency, role="receptionist")
    return officer


# --- Virus scan at upload ----------------------------------------------------------------------


@pytest.mark.clamav
@pytest.mark.parametrize("name, content", [("eicar.pdf", EICAR), ("don.docx", docx({"word/media/eicar.com": EICAR}))])
def test_a_virus_is_refused_named_logged_and_not_stored(draft, english, caplog, name, content):
    with caplog.at_level(logging.WARNING), pytest.raises(FileRefused) as error:
        services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(content, name))
    assert "contains a virus" in error.value.messages[0] and name in error.value.messages[0]
    assert any("virus" in r.getMessage() and name in r.getMessage() for r in caplog.records)
    assert not Attachment.objects.exists()


@pytest.mark.clamav
@pytest.mark.parametrize("name, content", [("giay-to.pdf", pdf()), ("don.docx", docx())])
def test_clean_files_are_accepted_and_marked_clean(draft, name, content):
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(content, name))
    assert attachment.scan_status == ScanStatus.CLEAN


def test_without_a_scanner_files_are_stored_and_say_not_scanned(client, citizen, draft, settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(pdf()))
    assert attachment.scan_status == ScanStatus.UNSCANNED
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(f"/ho-so/nhap/{draft.public_id}/")
    assert "Not scanned: no virus scanner configured" in page.content.decode()
    assert client.get(f"/ho-so/tep/{attachment.public_id}/").status_code == 200


# --- Archives -----------------------------------------------------------------------------------


def test_a_docx_that_inflates_past_the_limit_is_refused(draft, settings, english, clamd_down, caplog):
    settings.ATTACHMENT_ARCHIVE_MAX_UNCOMPRESSED = 4 * 1024 * 1024
    bomb = docx({"word/media/image1.bin": b"\0" * (5 * 1024 * 1024)})  # 5 MB of zeros: ~5 KB compressed
    assert len(bomb) < 64 * 1024
    with caplog.at_level(logging.WARNING), pytest.raises(FileRefused, match="unpacks to 5 MB"):
        services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(bomb, "bom.docx"))
    assert not Attachment.objects.exists()
    assert not any("scanner" in r.getMessage() for r in caplog.records)  # refused before clamd inflates it


def test_a_docx_with_too_many_parts_is_refused(draft, settings, english):
    settings.ATTACHMENT_ARCHIVE_MAX_MEMBERS = 50
    crowded = docx({f"word/media/part{n}.xml": "<x/>" for n in range(60)})
    with pytest.raises(FileRefused, match="63 parts; at most 50"):
        services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(crowded, "nhieu.docx"))
    assert not Attachment.objects.exists()


# --- PDF actions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, found",
    [
        (pdf(JAVASCRIPT), "/J"),
        (pdf(JAVASCRIPT, in_object_stream=True), "/J"),
        (pdf(LAUNCH), "/Launch"),
        (pdf(LAUNCH, in_object_stream=True), "/Launch"),
        # Unreadable by a parser, its action name hex-escaped: still found.
        (b"%PDF-1.4\n1 0 obj<</OpenAction<</S/Java#53cript/J#53(app.alert(1))>>>>endobj\ntrailer<<>>\n%%EOF\n", "/J"),
    ],
    ids=["openaction-js", "openaction-js-objstm", "launch", "launch-objstm", "broken-escaped"],
)
def test_pdfs_with_javascript_or_launch_actions_are_refused(draft, english, content, found):
    with pytest.raises(FileRefused, match="JavaScript or a command") as error:
        services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(content))
    assert found in error.value.messages[0]
    assert not Attachment.objects.exists()


def test_a_pdf_that_opens_at_a_page_is_accepted(draft):
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(pdf(GOTO_PAGE)))
    assert attachment.content_type == "application/pdf"


# --- Every path: the draft form, the API, supplements -----------------------------------------


@pytest.mark.clamav
def test_the_draft_form_shows_the_refusal(client, citizen, draft):
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/ho-so/nhap/{draft.public_id}/",
        {
            "action": "upload",
            "files-other": upload(docx({"word/media/x.com": EICAR}), "don.docx"),
        },
    )
    assert response.status_code == 200
    assert "“don.docx” contains a virus" in response.content.decode()
    assert not Attachment.objects.exists()


def api_client(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.clamav
def test_the_api_refuses_with_a_422_problem(citizen, draft):
    response = api_client(citizen).post(
        f"/api/v1/dossiers/{draft.public_id}/attachments/",
        {
            "requirement": "other",
            "file": upload(docx({"word/media/x.com": EICAR}), "don.docx"),
        },
        format="multipart",
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    message = response.json()["errors"]["file"][0]  # in the user's language: "virus" in both
    assert "don.docx" in message and "virus" in message
    assert not Attachment.objects.exists()


def test_the_api_refuses_an_active_pdf_with_a_422(citizen, draft):
    response = api_client(citizen).post(
        f"/api/v1/dossiers/{draft.public_id}/attachments/",
        {
            "requirement": "other",
            "file": upload(pdf(JAVASCRIPT)),
        },
        format="multipart",
    )
    assert response.status_code == 422
    assert "JavaScript" in response.json()["errors"]["file"][0]


@pytest.fixture
def awaiting_supplement(citizen):
    dossier = services.dossier_submit(dossier=filled_draft(citizen, birth_procedure()), actor=citizen)
    desk = officer_of(dossier)
    services.dossier_receive(dossier=dossier, actor=desk, **receive_data(dossier))
    services.dossier_request_supplement(
        dossier=dossier, actor=desk, items=[{"what": "Giấy chứng sinh bản rõ", "why": "Bản chụp bị mờ"}]
    )
    return Dossier.objects.get(pk=dossier.pk)


@pytest.mark.clamav
def test_a_supplement_with_a_virus_is_refused_in_the_page_and_the_api(client, citizen, awaiting_supplement):
    dossier, before = awaiting_supplement, awaiting_supplement.attachments.count()
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/ho-so/{dossier.code}/bo-sung/",
        {
            "answer": "Gửi bản rõ",
            "files-other": upload(EICAR, "giay-chung-sinh.pdf"),
        },
    )
    assert response.status_code == 200 and "contains a virus" in response.content.decode()
    response = api_client(citizen).post(
        f"/api/v1/dossiers/{dossier.code}/supplement-response/",
        {
            "answer": "Gửi bản rõ",
            "files-other": upload(EICAR, "giay-chung-sinh.pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 422 and "virus" in response.json()["errors"]["files"][0]
    dossier.refresh_from_db()
    assert dossier.status == "supplement_requested" and dossier.attachments.count() == before


# --- clamd down: pending, unopenable, scanned later ---------------------------------------------


@pytest.mark.clamav
def test_clamd_down_leaves_the_file_pending_until_the_worker_scans_it(
    client, citizen, clamd_down, clamd_socket, settings, django_capture_on_commit_callbacks
):
    dossier = services.dossier_submit(dossier=filled_draft(citizen, birth_procedure()), actor=citizen)
    with django_capture_on_commit_callbacks() as queued:
        attachment = services.dossier_attach(
            dossier=dossier, requirement_id="other", upload=upload(pdf(), "to-khai.pdf")
        )
    assert attachment.scan_status == ScanStatus.PENDING
    officer = officer_of(dossier)
    staff_login(client, officer)
    refused = client.get(f"/ho-so/tep/{attachment.public_id}/")
    assert refused.status_code == 403 and "to-khai.pdf" in refused.content.decode()
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "to-khai.pdf" in page and "Being checked for viruses" in page

    settings.CLAMD_SOCKET = clamd_socket  # clamd is back: the queued task runs
    for callback in queued:
        callback()
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN
    staff_login(client, officer)
    response = client.get(f"/ho-so/tep/{attachment.public_id}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.clamav
def test_the_beat_sweep_scans_what_was_left_pending(citizen, draft, clamd_down, clamd_socket, settings):
    attachment = services.dossier_attach(dossier=draft, requirement_id="other", upload=upload(pdf()))
    Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=attachment.uploaded_at.replace(year=2025))
    assert tasks.scan_pending_files() == 1  # still down: it stays pending, the task retries later
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.PENDING
    settings.CLAMD_SOCKET = clamd_socket
    assert tasks.scan_pending_files() == 1
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN
    assert tasks.scan_pending_files() == 0


@pytest.mark.clamav
def test_a_virus_found_by_the_worker_is_quarantined(
    citizen, clamd_down, clamd_socket, settings, django_capture_on_commit_callbacks, caplog
):
    dossier = services.dossier_submit(dossier=filled_draft(citizen, birth_procedure()), actor=citizen)
    with django_capture_on_commit_callbacks():
        infected = services.dossier_attach(
            dossier=dossier, requirement_id="other", upload=upload(docx({"word/media/x.com": EICAR}), "hop-dong.docx")
        )
    services._keep_in_store(dossier)  # it reached the applicant's store too
    file_name, storage = infected.file.name, infected.file.storage
    assert storage.exists(file_name) and StoredDocument.objects.filter(file=file_name).exists()

    settings.CLAMD_SOCKET = clamd_socket
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_file(infected.pk) == "infected"
    assert not Attachment.objects.filter(pk=infected.pk).exists()
    assert not StoredDocument.objects.filter(file=file_name).exists()
    assert not storage.exists(file_name)
    event = dossier.events.get(kind=EventKind.FILE_QUARANTINED)
    assert event.public and event.comment == "hop-dong.docx" and event.data["virus"]
    assert Notification.objects.filter(recipient=citizen, event=EventKind.FILE_QUARANTINED).exists()
    assert any("quarantined" in r.getMessage() for r in caplog.records)
    assert tasks.scan_file(infected.pk) is None  # run again (a redelivery): nothing left to do


@pytest.mark.clamav
def test_a_procedure_blank_form_with_a_virus_is_refused_in_the_admin(english):
    from procedures.admin import DocumentRequirementForm

    fields = {"position": 1, "name": "Tờ khai", "originals": 1, "copies": 0, "required": True}
    form = DocumentRequirementForm(fields, {"template": upload(docx({"word/media/x.com": EICAR}), "to-khai.docx")})
    assert not form.is_valid() and "contains a virus" in form.errors["template"][0]
    form = DocumentRequirementForm(fields, {"template": upload(pdf(JAVASCRIPT), "to-khai.pdf")})
    assert not form.is_valid() and "JavaScript" in form.errors["template"][0]
    assert DocumentRequirementForm(fields, {"template": upload(docx(), "to-khai.docx")}).is_valid()


def test_a_procedure_blank_form_is_refused_while_the_scanner_does_not_answer(clamd_down, english):
    from procedures.admin import DocumentRequirementForm

    fields = {"position": 1, "name": "Tờ khai", "originals": 1, "copies": 0, "required": True}
    form = DocumentRequirementForm(fields, {"template": upload(docx(), "to-khai.docx")})
    assert not form.is_valid() and "did not answer" in form.errors["template"][0]


def test_the_admin_says_when_no_scanner_is_configured(admin_client, settings, english):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get("/admin/dossiers/attachment/").content.decode()
    assert "Not scanned: no virus scanner configured" in page


@pytest.mark.clamav
def test_the_health_check_shows_the_scanner_without_failing_for_it(client, clamd_socket, settings):
    assert client.get("/healthz").json()["checks"]["virus_scanner"] == "ok"
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["virus_scanner"] == "not answering"
    settings.CLAMD_SOCKET = ""
    assert client.get("/healthz").json()["checks"]["virus_scanner"] == "not configured"
