"""A citizen deletes a draft, and renames, re-labels or deletes documents of their store."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from dossiers import services
from dossiers.constants import DocumentSource
from dossiers.exceptions import DossierConflict
from dossiers.models import Attachment, Dossier, DossierEvent, StoredDocument
from tests.dossiers.factories import PDF_BYTES, CitizenFactory, DossierFactory, filled_draft

pytestmark = pytest.mark.django_db
storage = Attachment.file.field.storage


def _en(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _stored(owner, name="giay.pdf", document_type="Giấy chứng sinh", content=PDF_BYTES):
    document = StoredDocument(
        owner=owner,
        document_type=document_type,
        name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=f"{hash((owner.pk, name, document_type)) & (2**64 - 1):064x}",
        source=DocumentSource.UPLOAD,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


# --- Drafts ------------------------------------------------------------------------------------


def test_deleting_a_draft_asks_first_then_removes_it_and_its_uploads(
    client, office, django_capture_on_commit_callbacks
):
    citizen = office["citizen"]
    draft = filled_draft(citizen, office["version"])
    files = [a.file.name for a in draft.attachments.all()]
    assert files and all(storage.exists(name) for name in files)
    url = reverse("dossiers:draft_delete", kwargs={"public_id": draft.public_id})
    _en(client, citizen)
    assert f'href="{url}"' in client.get(reverse("dossiers:list")).content.decode()
    assert (
        f'href="{url}"' in client.get(reverse("dossiers:draft", kwargs={"public_id": draft.public_id})).content.decode()
    )

    confirm = client.get(url)
    assert confirm.status_code == 200 and 'id="confirm-delete"' in confirm.content.decode()
    assert Dossier.objects.filter(pk=draft.pk).exists()  # asking deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("dossiers:list")
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not DossierEvent.objects.filter(dossier_id=draft.pk).exists()
    assert not any(storage.exists(name) for name in files)


def test_a_file_picked_from_the_store_stays_in_the_store(office, django_capture_on_commit_callbacks):
    citizen = office["citizen"]
    stored = _stored(citizen)
    draft = services.dossier_draft_start(applicant=citizen, version=office["version"])
    requirement = office["version"].documents.get(name="Giấy chứng sinh")
    services.dossier_attach_stored(dossier=draft, requirement_id=requirement.pk, stored_id=stored.public_id)

    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_draft_delete(dossier=draft, actor=citizen)

    stored.refresh_from_db()
    assert storage.exists(stored.file.name)


def test_only_the_owner_deletes_and_only_a_draft(client, office, submitted):
    draft = filled_draft(office["citizen"], office["version"])
    url = reverse("dossiers:draft_delete", kwargs={"public_id": draft.public_id})
    assert _en(client, office["other_citizen"]).post(url).status_code == 404
    assert client.get(url).status_code == 404
    assert Dossier.objects.filter(pk=draft.pk).exists()
    # A submitted dossier is no draft: not found here, and the service refuses it.
    _en(client, office["citizen"])
    assert client.post(reverse("dossiers:draft_delete", kwargs={"public_id": submitted.public_id})).status_code == 404
    with pytest.raises(DossierConflict):
        services.dossier_draft_delete(dossier=submitted, actor=office["citizen"])
    assert Dossier.objects.filter(pk=submitted.pk).exists()


# --- The document store --------------------------------------------------------------------------


def test_rename_keeps_the_extension_and_relabel_changes_where_it_can_be_picked(client, office):
    citizen = office["citizen"]
    document = _stored(citizen, document_type="Giấy tờ khác")
    url = reverse("dossiers:stored_edit", kwargs={"public_id": document.public_id})
    _en(client, citizen)
    assert f'href="{url}"' in client.get(reverse("dossiers:store")).content.decode()

    response = client.post(url, {"name": "Giấy chứng sinh của bé/../x", "document_type": "Giấy chứng sinh"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.name.endswith(".pdf") and "/" not in document.name and document.name.startswith("x")
    assert document.document_type == "Giấy chứng sinh"
    # Filed under the requirement's name, a draft can now pick it for that requirement.
    draft = services.dossier_draft_start(applicant=citizen, version=office["version"])
    requirement = office["version"].documents.get(name="Giấy chứng sinh")
    services.dossier_attach_stored(dossier=draft, requirement_id=requirement.pk, stored_id=document.public_id)


def test_a_blank_name_is_refused_and_nothing_changes(client, office):
    document = _stored(office["citizen"])
    response = _en(client, office["citizen"]).post(
        reverse("dossiers:stored_edit", kwargs={"public_id": document.public_id}), {"name": " ", "document_type": ""}
    )
    assert response.status_code == 400 and "Give the file a name" in response.content.decode()
    document.refresh_from_db()
    assert (document.name, document.document_type) == ("giay.pdf", "Giấy chứng sinh")


def test_deleting_a_document_used_by_a_dossier_being_processed_is_refused(client, office, submitted):
    stored = StoredDocument.objects.filter(owner=office["citizen"]).first()
    assert stored is not None  # submitting put the uploads into the store
    url = reverse("dossiers:stored_delete", kwargs={"public_id": stored.public_id})
    _en(client, office["citizen"])
    assert submitted.code in client.get(url).content.decode()

    response = client.post(url, follow=True)

    assert "used by a dossier being processed" in response.content.decode()
    assert StoredDocument.objects.filter(pk=stored.pk).exists() and storage.exists(stored.file.name)


def test_after_the_dossier_ends_the_entry_goes_but_the_dossier_keeps_its_file(
    office, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(state="returned", applicant=office["citizen"], version=office["version"], people=office)
    stored = StoredDocument.objects.filter(owner=office["citizen"], source=DocumentSource.UPLOAD).first()

    with django_capture_on_commit_callbacks(execute=True):
        services.stored_document_delete(owner=office["citizen"], stored_id=stored.public_id)

    assert not StoredDocument.objects.filter(pk=stored.pk).exists()
    assert storage.exists(stored.file.name)  # the returned dossier's attachment still holds it
    assert dossier.attachments.filter(file=stored.file.name).exists()


def test_a_document_nothing_else_holds_is_deleted_from_storage(client, office, django_capture_on_commit_callbacks):
    document = _stored(office["citizen"])
    name = document.file.name
    _en(client, office["citizen"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:stored_delete", kwargs={"public_id": document.public_id}))
    assert response.status_code == 302
    assert not StoredDocument.objects.filter(pk=document.pk).exists() and not storage.exists(name)


def test_another_citizen_gets_404_on_every_store_page(client, office):
    document = _stored(office["citizen"])
    _en(client, office["other_citizen"])
    for name in ("stored_edit", "stored_delete"):
        url = reverse(f"dossiers:{name}", kwargs={"public_id": document.public_id})
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "x", "document_type": "y"}).status_code == 404
    document.refresh_from_db()
    assert document.name == "giay.pdf"
    with pytest.raises(StoredDocument.DoesNotExist):
        services.stored_document_delete(owner=CitizenFactory(), stored_id=document.public_id)


def test_an_event_of_a_deleted_draft_still_in_the_outbox_is_skipped(office):
    from dossiers import fanout
    from dossiers.constants import EventKind

    draft = filled_draft(office["citizen"], office["version"])
    event = services.record_event(draft, kind=EventKind.FILE_QUARANTINED, actor=None, public=True)
    services.dossier_draft_delete(dossier=draft, actor=office["citizen"])

    fanout.on_event(event.pk)  # no DoesNotExist: the outbox row is done
