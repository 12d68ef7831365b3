"""Archive packages: one BagIt bag per ended dossier, built after commit, verified, downloaded."""

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import bagit
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from archive import services
from archive.models import ArchivePackage, PackageState
from archive.package import SIGNATURE, TAGMANIFEST, package_render
from dossiers.constants import DossierStatus
from dossiers.models import DossierEvent
from tests.api.conftest import api_for, assert_problem
from tests.archive.factories import ended_dossier
from tests.conftest import _need
from tests.dossiers.factories import PDF_BYTES, DossierFactory
from tests.second_factor import staff_login

ENDINGS = [DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN]


def _ended_through_the_outbox(office, how, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return ended_dossier(office, how)


def _stored_bytes(package) -> bytes:
    with services.archive_storage().open(package.storage_key, "rb") as handle:
        return handle.read()


def _unpack(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
        (root,) = {name.split("/", 1)[0] for name in archive.namelist()}
    return into / root


def _rewrite(data: bytes, member_suffix: str, change) -> bytes:
    """The zip with one member changed (or dropped when `change` returns None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith(member_suffix):
                content = change(content)
                if content is None:
                    continue
            target.writestr(info, content)
    return out.getvalue()


def _replace_stored(package, data: bytes) -> None:
    storage = services.archive_storage()
    storage.delete(package.storage_key)
    storage.save(package.storage_key, ContentFile(data))


@pytest.mark.parametrize("how", ENDINGS)
def test_a_package_for_each_way_a_dossier_ends(office, how, tmp_path, django_capture_on_commit_callbacks):
    dossier = _ended_through_the_outbox(office, how, django_capture_on_commit_callbacks)

    package = ArchivePackage.objects.get(dossier=dossier)
    assert package.state == PackageState.BUILT and package.attempts == 1
    data = _stored_bytes(package)
    assert hashlib.sha256(data).hexdigest() == package.sha256 and len(data) == package.size
    bag_dir = _unpack(data, tmp_path)
    bag = bagit.Bag(str(bag_dir))
    bag.validate(fast=False)  # every manifest entry re-hashed
    assert bag.info["External-Identifier"] == dossier.code
    assert bag.info["Dossier-Status"] == how
    assert bag.info["Payload-Oxum"] == package.payload_oxum
    assert bag.info["Receiving-Agency"].startswith(office["agency"].code)
    assert bag.info["Retention-Until"] == package.retention_until.isoformat()
    years = dossier.procedure_version.effective_retention_years  # the version's, or RETENTION_DEFAULT_YEARS
    assert package.retention_until.year == int(bag.info["Bagging-Date"][:4]) + years
    assert set(bag.algorithms) == {"sha256"}

    payload = bag_dir / "data"
    application = json.loads((payload / "application.json").read_text())
    assert application["code"] == dossier.code and application["status"] == how
    assert application["form_data"]["child_name"] == "Nguyễn Văn Bé"
    assert application["applicant"]["name"] == office["citizen"].full_name
    assert application["procedure"]["code"] == office["version"].procedure.code
    attachments = list(dossier.attachments.order_by("uploaded_at", "pk"))
    assert len(application["attachments"]) == len(attachments) == 2
    for row, attachment in zip(application["attachments"], attachments, strict=True):
        stored = (bag_dir / row["path"]).read_bytes()
        assert stored == attachment.file.open("rb").read() == PDF_BYTES
        assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    events = json.loads((payload / "events.json").read_text())
    assert [e["id"] for e in events] == list(
        DossierEvent.objects.filter(dossier=dossier).order_by("at", "pk").values_list("pk", flat=True)
    )
    assert events[-1]["to_status"] == how
    version = json.loads((payload / "procedure-version.json").read_text())
    assert version["number"] == office["version"].number
    assert len(version["documents"]) == office["version"].documents.count() == 3
    assert (payload / "application.pdf").read_bytes().startswith(b"%PDF")
    assert (payload / "documents" / "form05.pdf").read_bytes().startswith(b"%PDF")
    assert (payload / "documents" / "form01.pdf").is_file()  # received first, every way
    assert (payload / "documents" / "result.pdf").is_file() == (how == DossierStatus.RETURNED)
    assert (payload / "documents" / "form03.pdf").is_file() == (how == DossierStatus.REFUSED)
    assert json.loads((payload / "messages.json").read_text()) == []
    assert (bag_dir / SIGNATURE).is_file()
    # The command agrees.
    out = io.StringIO()
    call_command("archive_verify", dossier.code, stdout=out)
    assert f"{dossier.code} OK {package.sha256}" in out.getvalue()


def test_the_result_in_the_package_is_the_signed_result_issued(office, tmp_path, django_capture_on_commit_callbacks):
    dossier = _ended_through_the_outbox(office, DossierStatus.RETURNED, django_capture_on_commit_callbacks)
    bag_dir = _unpack(_stored_bytes(dossier.archive_package), tmp_path)
    result = dossier.documents.get(kind="result").file.open("rb").read()
    archived = (bag_dir / "data/documents/result.pdf").read_bytes()
    # The issued result, unchanged, then a document time stamp over it: PAdES B-LTA.
    assert archived.startswith(result) and len(archived) > len(result)
    from pyhanko.pdf_utils.reader import PdfFileReader

    from portal.signing import verify_pdf

    signatures = PdfFileReader(io.BytesIO(archived)).embedded_signatures
    assert [s.sig_object.get("/Type") for s in signatures] == ["/Sig", "/DocTimeStamp"]
    check = verify_pdf(archived)
    assert check.intact and check.trusted and check.ltv, check.summary


def test_one_byte_changed_in_one_file_is_reported_with_the_file_and_exits_1(office, django_capture_on_commit_callbacks):
    dossier = _ended_through_the_outbox(office, DossierStatus.RETURNED, django_capture_on_commit_callbacks)
    other = _ended_through_the_outbox(office, DossierStatus.STOPPED, django_capture_on_commit_callbacks)
    package = dossier.archive_package
    flipped = _rewrite(_stored_bytes(package), "data/attachments/01-giay-to.pdf", lambda b: bytes([b[0] ^ 1]) + b[1:])
    _replace_stored(package, flipped)

    out = io.StringIO()
    with pytest.raises(CommandError):  # manage.py exits 1
        call_command("archive_verify", "--all", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith(f"{dossier.code} FAILED data/attachments/01-giay-to.pdf: changed") for line in lines), (
        lines
    )
    assert any(line.startswith(f"{dossier.code} FAILED") and "sha256" in line for line in lines)
    assert f"{other.code} OK {other.archive_package.sha256}" in lines
    assert "2 checked, 1 failed" in lines


def test_a_file_missing_from_a_package_and_a_forged_manifest_are_reported(office, django_capture_on_commit_callbacks):
    dossier = _ended_through_the_outbox(office, DossierStatus.REFUSED, django_capture_on_commit_callbacks)
    package = dossier.archive_package
    original = _stored_bytes(package)

    _replace_stored(package, _rewrite(original, "data/events.json", lambda b: None))
    problems = services.package_verify(package=package).problems
    assert "data/events.json: missing" in problems

    # Whoever edits a file and its manifest lines still breaks the seal over the tag manifest.
    def forge(data: bytes) -> bytes:
        events = b"[]\n"
        data = _rewrite(data, "data/events.json", lambda b: events)
        digest = hashlib.sha256(events).hexdigest()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest_name = next(n for n in archive.namelist() if n.endswith("/manifest-sha256.txt"))
            manifest = archive.read(manifest_name).decode()
        lines = [
            f"{digest}  data/events.json" if line.endswith(" data/events.json") else line
            for line in manifest.splitlines()
        ]
        data = _rewrite(data, "/manifest-sha256.txt", lambda b: ("\n".join(lines) + "\n").encode())
        new_manifest_digest = hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()

        def retag(b: bytes) -> bytes:
            rows = [
                f"{new_manifest_digest} manifest-sha256.txt" if row.endswith(" manifest-sha256.txt") else row
                for row in b.decode().splitlines()
            ]
            return ("\n".join(rows) + "\n").encode()

        return _rewrite(data, "/" + TAGMANIFEST, retag)

    forged = forge(original)
    _replace_stored(package, forged)
    problems = services.package_verify(package=package).problems
    assert f"{SIGNATURE}: the signature does not match {TAGMANIFEST}" in problems
    assert not any(p.startswith("data/events.json") for p in problems)  # bagit alone was fooled


def test_building_twice_gives_one_row_and_the_same_bytes(office):
    dossier = ended_dossier(office, DossierStatus.STOPPED)
    first = services.package_build(dossier=dossier)
    again = services.package_build(dossier=dossier)
    assert ArchivePackage.objects.filter(dossier=dossier).count() == 1
    assert again.pk == first.pk and again.sha256 == first.sha256 and again.attempts == 1
    # The bytes are a function of the dossier and the time stamp kept on its row: rendered afresh
    # with that row, the same hash; without it a new time stamp, so only the tag file differs.
    assert package_render(dossier, first).sha256 == first.sha256


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (no except Exception)."""


def test_a_worker_killed_mid_build_leaves_nothing_visible_and_the_rebuild_has_the_same_hash(
    office, client, monkeypatch
):
    dossier = ended_dossier(office, DossierStatus.WITHDRAWN)
    storage = services.archive_storage()
    real_save = storage.save
    uploaded = []

    def save_then_die(name, content, **kwargs):
        uploaded.append(hashlib.sha256(content.read()).hexdigest())
        content.seek(0)
        real_save(name, content, **kwargs)  # the object is uploaded...
        raise WorkerKilled  # ...and the worker dies before the row says "built"

    monkeypatch.setattr(storage, "save", save_then_die)
    with pytest.raises(WorkerKilled):
        services.package_build(dossier=dossier)
    package = ArchivePackage.objects.get(dossier=dossier)
    assert package.state == PackageState.BUILDING and package.sha256 == ""
    staff_login(client, office["desk"])
    assert client.get(f"/can-bo/ho-so/{dossier.code}/luu-tru.zip").status_code == 404  # no half package

    monkeypatch.setattr(storage, "save", real_save)
    package = services.package_build(dossier=dossier)
    assert package.state == PackageState.BUILT and package.attempts == 2
    # Rebuilt once, with the time stamp the dead build kept: the very bytes it had uploaded.
    assert package.sha256 == uploaded[0] == hashlib.sha256(_stored_bytes(package)).hexdigest()
    assert services.package_verify(package=package).ok


def test_a_failed_build_is_recorded_and_retried_by_the_backfill(office, monkeypatch):
    dossier = ended_dossier(office, DossierStatus.REFUSED)

    def broken(dossier, package=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "package_render", broken)
    with pytest.raises(CommandError):
        call_command("archive_build", "--all-ended", stdout=io.StringIO(), stderr=io.StringIO())
    package = ArchivePackage.objects.get(dossier=dossier)
    assert package.state == PackageState.FAILED and "disk full" in package.last_error

    monkeypatch.undo()
    out = io.StringIO()
    call_command("archive_build", "--all-ended", stdout=out)
    package.refresh_from_db()
    assert package.state == PackageState.BUILT and f"{dossier.code} {package.sha256}" in out.getvalue()


def test_an_open_dossier_has_no_package(office, submitted):
    with pytest.raises(ValueError):
        services.package_build(dossier=submitted)
    assert not ArchivePackage.objects.exists()


def test_retention_follows_the_setting_when_the_version_says_nothing(office, settings):
    settings.RETENTION_DEFAULT_YEARS = 5
    dossier = ended_dossier(office, DossierStatus.STOPPED)
    assert dossier.procedure_version.retention_years is None and not dossier.procedure_version.retention_permanent
    package = services.package_build(dossier=dossier)
    ended = dossier.events.order_by("-at", "-pk").first().at
    from django.utils import timezone

    assert package.retention_until.year == timezone.localtime(ended).year + 5


def test_a_version_kept_permanently_gives_a_package_without_an_end(office):
    dossier = ended_dossier(office, DossierStatus.STOPPED)
    type(dossier.procedure_version).objects.filter(pk=dossier.procedure_version_id).update(retention_permanent=True)
    dossier.refresh_from_db()
    assert services.package_build(dossier=dossier).retention_until is None


def test_the_tag_manifest_carries_a_time_stamp_and_a_forged_one_is_reported(office, tmp_path):
    from archive.package import TIMESTAMP, seal_problems
    from portal.signing import verify_timestamp_token

    dossier = ended_dossier(office, DossierStatus.STOPPED)
    bag_dir = _unpack(package_render(dossier).data, tmp_path)
    manifest = (bag_dir / "tagmanifest-sha256.txt").read_bytes()
    token = (bag_dir / TIMESTAMP).read_bytes()
    assert verify_timestamp_token(manifest, token) is not None
    tags = {name: (bag_dir / name).read_bytes() for name in ("tagmanifest-sha256.txt.p7s", TIMESTAMP)}
    assert seal_problems(manifest, tags) == []
    from portal.signing import timestamp_token

    forged = {**tags, TIMESTAMP: timestamp_token(b"another manifest")}  # a real token, of other bytes
    assert [problem for problem in seal_problems(manifest, forged) if problem.startswith(TIMESTAMP)]
    assert seal_problems(manifest, {"tagmanifest-sha256.txt.p7s": tags["tagmanifest-sha256.txt.p7s"]}) == [
        f"{TIMESTAMP}: missing"
    ]


def test_the_seal_verifies_with_openssl_against_the_ca(office, tmp_path, settings):
    _need(shutil.which("openssl") is not None, "needs openssl (apt-get install openssl)")
    dossier = ended_dossier(office, DossierStatus.STOPPED)
    bag_dir = _unpack(package_render(dossier).data, tmp_path)
    command = [
        "openssl", "cms", "-verify", "-binary", "-inform", "DER",
        "-in", str(bag_dir / SIGNATURE), "-content", str(bag_dir / TAGMANIFEST),
        "-CAfile", settings.RESULT_SIGNING_CA, "-purpose", "any", "-out", "/dev/null",
    ]  # fmt: skip
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    (bag_dir / TAGMANIFEST).write_bytes((bag_dir / TAGMANIFEST).read_bytes() + b"\n")
    assert subprocess.run(command, capture_output=True, check=False).returncode != 0


# --- Download ------------------------------------------------------------------------------------


@pytest.fixture
def archived(office, django_capture_on_commit_callbacks):
    return _ended_through_the_outbox(office, DossierStatus.RETURNED, django_capture_on_commit_callbacks)


def test_the_desk_and_the_leader_download_the_package_through_the_api(office, archived):
    for who in ("desk", "leader"):
        response = api_for(office[who]).get(f"/api/v1/dossiers/{archived.code}/archive/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment")
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == archived.archive_package.sha256


def test_who_may_not_download_the_package(office, archived):
    url = f"/api/v1/dossiers/{archived.code}/archive/"
    assert_problem(api_for(office["stranger"]).get(url), 404)  # another agency: not even there
    assert_problem(api_for(office["citizen"]).get(url), 404)  # the applicant: staff only
    assert_problem(api_for(office["specialist"]).get(url), 403)  # reads the dossier, not its package
    assert api_for().get(url).status_code in (401, 403)
    scoped_elsewhere = api_for(office["desk"], agencies=[office["other_agency"]])
    assert_problem(scoped_elsewhere.get(url), 404)


def test_no_package_yet_is_404(office):
    dossier = ended_dossier(office, DossierStatus.STOPPED)  # no on-commit: nothing built
    assert_problem(api_for(office["desk"]).get(f"/api/v1/dossiers/{dossier.code}/archive/"), 404)


def test_the_desk_page_links_to_the_package(client, office, archived, django_assert_max_num_queries):
    staff_login(client, office["desk"])
    with django_assert_max_num_queries(22):  # the desk page's 21 (access log included) and the package
        page = client.get(f"/can-bo/ho-so/{archived.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    link = f'href="/can-bo/ho-so/{archived.code}/luu-tru.zip"'
    assert link in page.content.decode() and "Download archive package" in page.content.decode()
    response = client.get(f"/can-bo/ho-so/{archived.code}/luu-tru.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == archived.archive_package.sha256

    staff_login(client, office["specialist"])
    page = client.get(f"/can-bo/ho-so/{archived.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and link not in page.content.decode()
    assert client.get(f"/can-bo/ho-so/{archived.code}/luu-tru.zip").status_code == 403
    staff_login(client, office["stranger"])
    assert client.get(f"/can-bo/ho-so/{archived.code}/luu-tru.zip").status_code == 404


def test_an_open_dossier_desk_page_asks_nothing_of_the_archive(client, office, django_assert_num_queries):
    dossier = DossierFactory(applicant=office["citizen"], version=office["version"])
    with django_assert_num_queries(0):
        assert services.archive_desk_context(dossier=dossier, user=office["desk"]) == {}


def test_the_admin_verify_action_reports_a_tampered_package(admin_client, office, archived):
    package = archived.archive_package
    _replace_stored(package, _rewrite(_stored_bytes(package), "data/application.json", lambda b: b + b" "))
    response = admin_client.post(
        "/admin/archive/archivepackage/",
        {"action": "verify", "_selected_action": [package.pk], "index": 0},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "data/application.json: changed" in text


# --- Object storage ------------------------------------------------------------------------------


def test_packages_on_object_storage(s3_endpoint, settings, office, django_capture_on_commit_callbacks):
    from django.core.files.storage import storages

    from tests.s3 import s3_storage_settings

    archive = s3_storage_settings(s3_endpoint)
    archive["OPTIONS"] = {**archive["OPTIONS"], "location": "archive", "file_overwrite": True}
    settings.STORAGES = {**settings.STORAGES, "archive": archive}
    dossier = _ended_through_the_outbox(office, DossierStatus.STOPPED, django_capture_on_commit_callbacks)
    package = dossier.archive_package
    assert package.state == PackageState.BUILT
    s3 = storages["archive"]
    assert s3.__class__.__module__.startswith("storages.backends.s3")
    obj = s3.bucket.Object(f"archive/{package.storage_key}")
    assert hashlib.sha256(obj.get()["Body"].read()).hexdigest() == package.sha256
    assert services.package_verify(package=package).ok
    _replace_stored(package, _rewrite(_stored_bytes(package), "data/messages.json", lambda b: b"[1]\n"))
    assert "data/messages.json" in " ".join(services.package_verify(package=package).problems)


def test_the_archive_registers_its_topic_and_hooks(db):
    from dossiers import hooks
    from portal import outbox_handlers

    assert outbox_handlers.outbox_handler_for("archive.package") is services.package_build_later
    assert services.archive_on_dossier_event in hooks._event_subscribers
    assert services.archive_desk_context in hooks._desk_context
    assert hooks.desk_context(dossier=None, user=None).get("archive_package") is None
