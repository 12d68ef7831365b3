"""Messages on a dossier (issue #15, section 4): the thread on both sides, notifications both
ways, read state, scanned attachments, access control and bad input."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers import messaging
from dossiers.constants import DossierStatus, EventKind, ScanStatus
from dossiers.models import Attachment, DossierEvent, DossierMessage
from portal.models import Notification, NotificationChannel
from tests.clamd import EICAR
from tests.dossiers.factories import DossierFactory, pdf_upload
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def citizen_client(client, office):
    client.force_login(office["citizen"])
    client.cookies["django_language"] = "en"
    return client


def _send(dossier, author, body="Xin hỏi khi nào có kết quả?", uploads=(), capture=None):
    if capture is None:
        return messaging.dossier_message_send(dossier=dossier, author=author, body=body, uploads=uploads)
    with capture(execute=True):
        return messaging.dossier_message_send(dossier=dossier, author=author, body=body, uploads=uploads)


def test_citizen_writes_from_the_dossier_page_and_the_desk_sees_it(
    citizen_client, client, office, submitted, django_capture_on_commit_callbacks
):
    url = reverse("dossiers:messages", args=[submitted.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(url, {"body": "Tôi cần bổ sung giấy gì?", "files": [pdf_upload()]})
    assert response.status_code == 302 and response["Location"].endswith("#messages")
    message = DossierMessage.objects.get(dossier=submitted)
    assert message.from_applicant and message.author == office["citizen"] and message.read_at is None
    attachment = message.attachments.get()
    assert attachment.dossier == submitted and attachment.scan_status in (ScanStatus.CLEAN, ScanStatus.UNSCANNED)
    event = DossierEvent.objects.get(dossier=submitted, kind=EventKind.MESSAGE)
    assert event.comment == "Tôi cần bổ sung giấy gì?" and event.data["from"] == "applicant"
    assert event.data["message"] == str(message.public_id) and event.public
    assert event.from_status == event.to_status == submitted.status  # not a status change (national sync)
    # The receiving desk (nobody is assigned yet) hears of it in their inbox.
    assert Notification.objects.filter(
        recipient=office["desk"], event=EventKind.MESSAGE, channel=NotificationChannel.INBOX
    ).exists()
    assert not Notification.objects.filter(recipient=office["citizen"], event=EventKind.MESSAGE).exists()
    page = citizen_client.get(reverse("dossiers:detail", args=[submitted.code]))
    assert 'id="messages"' in page.content.decode() and "Tôi cần bổ sung giấy gì?" in page.content.decode()

    # The desk's queue row counts it unread; opening the desk shows it and marks it read.
    staff_login(client, office["desk"])
    queue = client.get(reverse("dossiers:queue"), **EN).content.decode()
    assert 'data-unread-messages="1"' in queue
    desk = client.get(reverse("dossiers:desk", args=[submitted.code]), **EN).content.decode()
    assert "Tôi cần bổ sung giấy gì?" in desk and attachment.name in desk
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'data-unread-messages="' not in client.get(reverse("dossiers:queue"), **EN).content.decode()


def test_officer_answers_and_the_citizen_is_notified_with_an_unread_count(
    client, office, submitted, django_capture_on_commit_callbacks
):
    staff_login(client, office["desk"])
    url = reverse("dossiers:officer_messages", args=[submitted.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Kết quả dự kiến có vào thứ Sáu."}, **EN)
    assert response.status_code == 302
    message = DossierMessage.objects.get(dossier=submitted)
    assert not message.from_applicant
    event = DossierEvent.objects.get(dossier=submitted, kind=EventKind.MESSAGE)
    assert event.data["from"] == "staff" and event.actor == office["desk"] and event.agency == office["agency"]
    # The applicant: inbox and e-mail (their default channels for the "messages" topic).
    channels = set(
        Notification.objects.filter(recipient=office["citizen"], event=EventKind.MESSAGE).values_list(
            "channel", flat=True
        )
    )
    assert {NotificationChannel.INBOX, NotificationChannel.EMAIL} <= channels
    assert not Notification.objects.filter(recipient=office["desk"], event=EventKind.MESSAGE).exists()

    client.logout()
    client.force_login(office["citizen"])
    listing = client.get(reverse("dossiers:list"), **EN).content.decode()
    assert 'data-unread-messages="1"' in listing
    page = client.get(reverse("dossiers:detail", args=[submitted.code]), **EN).content.decode()
    assert "Kết quả dự kiến có vào thứ Sáu." in page
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'data-unread-messages="' not in client.get(reverse("dossiers:list"), **EN).content.decode()


def test_the_assigned_specialist_hears_of_the_applicants_message(office, django_capture_on_commit_callbacks):
    dossier = DossierFactory(
        state=DossierStatus.IN_PROCESSING, applicant=office["citizen"], version=office["version"], people=office
    )
    _send(dossier, office["citizen"], capture=django_capture_on_commit_callbacks)
    recipients = set(
        Notification.objects.filter(event=EventKind.MESSAGE, dossier_code=dossier.code).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {office["specialist"].pk}


def test_a_citizen_who_turned_messages_off_gets_only_what_they_chose(
    office, submitted, django_capture_on_commit_callbacks
):
    citizen = office["citizen"]
    citizen.notification_preferences = {"default": ["inbox", "email"], "messages": ["inbox"]}
    citizen.save(update_fields=["notification_preferences"])
    _send(submitted, office["desk"], "Ông/Bà vui lòng kiểm tra lại.", capture=django_capture_on_commit_callbacks)
    channels = list(
        Notification.objects.filter(recipient=citizen, event=EventKind.MESSAGE).values_list("channel", flat=True)
    )
    assert channels == [NotificationChannel.INBOX]


def test_another_citizen_and_an_officer_of_another_agency_get_404(client, office, submitted):
    client.force_login(office["other_citizen"])
    assert client.post(reverse("dossiers:messages", args=[submitted.code]), {"body": "x"}).status_code == 404
    assert client.get(reverse("dossiers:detail", args=[submitted.code])).status_code == 404
    client.logout()
    staff_login(client, office["stranger"])
    assert client.post(reverse("dossiers:officer_messages", args=[submitted.code]), {"body": "x"}).status_code == 404
    assert not DossierMessage.objects.exists()
    with pytest.raises(PermissionDenied):  # the service itself refuses them too
        messaging.dossier_message_send(dossier=submitted, author=office["other_citizen"], body="x")
    assert not DossierMessage.objects.exists() and not DossierEvent.objects.filter(kind=EventKind.MESSAGE).exists()


@pytest.mark.parametrize(
    "body, files, expected",
    [
        ("   ", [], "Write a message."),
        ("x" * 5001, [], "at most 5,000 characters"),
        ("Có tệp", [SimpleUploadedFile("ghi-chu.pdf", b"just some text, not a PDF")], "is not a PDF"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(citizen_client, submitted, body, files, expected):
    response = citizen_client.post(reverse("dossiers:messages", args=[submitted.code]), {"body": body, "files": files})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not DossierMessage.objects.exists()
    assert not Attachment.objects.filter(dossier=submitted).exclude(message=None).exists()
    assert not DossierEvent.objects.filter(kind=EventKind.MESSAGE).exists()


def test_a_refused_officer_message_re_renders_the_desk(client, office, submitted):
    staff_login(client, office["desk"])
    response = client.post(reverse("dossiers:officer_messages", args=[submitted.code]), {"body": ""}, **EN)
    assert response.status_code == 400 and "Write a message." in response.content.decode()
    assert not DossierMessage.objects.exists()


def test_a_draft_has_no_thread(office):
    draft = DossierFactory(state=DossierStatus.DRAFT, applicant=office["citizen"], version=office["version"])
    with pytest.raises(ValidationError):
        messaging.dossier_message_send(dossier=draft, author=office["citizen"], body="Xin chào")


@pytest.mark.clamav
def test_an_infected_attachment_is_refused_and_nothing_stored(citizen_client, submitted):
    response = citizen_client.post(
        reverse("dossiers:messages", args=[submitted.code]),
        {"body": "Gửi kèm giấy tờ", "files": [SimpleUploadedFile("giay.pdf", EICAR)]},
    )
    assert response.status_code == 400
    assert not DossierMessage.objects.exists()
    assert not Attachment.objects.filter(dossier=submitted).exclude(message=None).exists()
    assert not DossierEvent.objects.filter(kind=EventKind.MESSAGE).exists()


@pytest.mark.clamav
def test_a_clean_attachment_is_scanned_at_upload(office, submitted):
    message = _send(submitted, office["citizen"], uploads=[pdf_upload()])
    assert message.attachments.get().scan_status == ScanStatus.CLEAN


def test_an_attachment_clamd_could_not_scan_waits_for_the_worker(
    office, submitted, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = str(tmp_path / "stopped-clamd.sock"), ""
    with mock.patch("dossiers.tasks.scan_file.delay") as scan, django_capture_on_commit_callbacks(execute=True):
        message = _send(submitted, office["citizen"], uploads=[pdf_upload()])
    attachment = message.attachments.get()
    assert attachment.scan_status == ScanStatus.PENDING  # listed, opened by nobody until scanned
    scan.assert_called_once_with(attachment.pk)
