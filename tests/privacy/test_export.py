"""The personal data export: every dossier and file of the person, nothing of anyone else."""

import io
import json
import zipfile

import pytest

from dossiers import services
from dossiers.constants import ScanStatus
from dossiers.models import Attachment, StoredDocument
from tests.dossiers.factories import DossierFactory, filled_draft, pdf_upload

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_holds_every_dossier_and_file_of_the_person_and_nothing_of_another(client, office):
    me, other = office["citizen"], office["other_citizen"]
    mine = DossierFactory(applicant=me, version=office["version"])
    draft = filled_draft(me, office["version"])
    theirs = DossierFactory(applicant=other, version=office["version"])
    their_draft = filled_draft(other, office["version"])
    Attachment.objects.update(scan_status=ScanStatus.CLEAN)
    StoredDocument.objects.update(scan_status=ScanStatus.CLEAN)
    my_files = {a.sha256 for a in Attachment.objects.filter(dossier__applicant=me)}

    client.force_login(me)
    archive = _zip(client.get("/api/v1/me/export/"))
    data = json.loads(archive.read("data.json"))

    assert data["account"]["full_name"] == me.full_name and data["account"]["email"] == me.email
    assert {d["public_id"] for d in data["dossiers"]} == {str(mine.public_id), str(draft.public_id)}
    exported = next(d for d in data["dossiers"] if d["code"] == mine.code)
    assert exported["form_data"]["child_name"] == "Nguyễn Văn Bé"
    assert [e["kind"] for e in exported["events"]]  # its public events
    # Every attachment is in files/, byte for byte.
    packed = [a for d in data["dossiers"] for a in d["attachments"]]
    assert len(packed) == Attachment.objects.filter(dossier__applicant=me).count()
    for item in packed:
        assert item["file"] and item["file"].startswith("files/dossiers/")
        assert archive.read(item["file"]) == pdf_upload().read()
    assert {a["sha256"] for a in packed} == my_files
    # The personal store's files too.
    assert len(data["stored_documents"]) == StoredDocument.objects.filter(owner=me).count()
    for stored in data["stored_documents"]:
        assert stored["file"] in archive.namelist()

    # Nothing of the other citizen: not their dossiers, not their files, not their name.
    raw = archive.read("data.json").decode()
    assert str(theirs.public_id) not in raw and theirs.code not in raw and str(their_draft.public_id) not in raw
    assert other.full_name not in raw and other.email not in raw
    their_names = {f"{a.public_id}-{a.name}" for a in Attachment.objects.filter(dossier__applicant=other)}
    assert not any(name.rsplit("/", 1)[-1] in their_names for name in archive.namelist())
    assert set(archive.namelist()) == {"data.json"} | {i["file"] for i in packed} | {
        s["file"] for s in data["stored_documents"]
    }


def test_the_other_citizen_gets_only_their_own(client, office):
    me, other = office["citizen"], office["other_citizen"]
    mine = DossierFactory(applicant=me, version=office["version"])
    client.force_login(other)
    data = json.loads(_zip(client.get("/ca-nhan/du-lieu/tai-ve/")).read("data.json"))
    assert data["dossiers"] == [] and mine.code not in json.dumps(data)


def test_an_export_needs_a_signed_in_person(client, office):
    assert client.get("/api/v1/me/export/").status_code == 401
    assert client.get("/ca-nhan/du-lieu/tai-ve/").status_code == 302


def test_a_file_still_being_scanned_is_listed_but_not_packed(client, office):
    me = office["citizen"]
    draft = filled_draft(me, office["version"])
    attachment = services.dossier_attach(
        dossier=draft, requirement_id=None, upload=pdf_upload("khac.pdf", pdf_upload().read())
    )
    Attachment.objects.filter(pk=attachment.pk).update(scan_status=ScanStatus.PENDING)
    client.force_login(me)
    archive = _zip(client.get("/api/v1/me/export/"))
    data = json.loads(archive.read("data.json"))
    (item,) = [a for d in data["dossiers"] for a in d["attachments"] if a["name"] == attachment.name]
    assert item["file"] is None and item["scan_status"] == "pending"
