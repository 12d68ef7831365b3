"""Retention and destruction: the list, the leader's decisions, what destruction removes and keeps."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from dossiers.constants import DossierStatus, EventKind
from dossiers.models import Dossier, DossierDocument, DossierEvent, DossierMessage, OfficerFile, StoredDocument
from portal.constants import StaffRole
from portal.models import Notification
from retention.constants import CaseState
from retention.models import DestructionCase, DestructionRecord
from retention.services import (
    DestructionRefused,
    add_years,
    destruction_approve,
    destruction_execute,
    destruction_hold,
    destruction_postpone,
    destruction_release,
    retention_list_due,
)
from tests.dossiers.factories import DossierFactory, StaffFactory
from tests.procedures.factories import VersionFactory

pytestmark = pytest.mark.django_db
S = DossierStatus
LONG_AGO = timezone.make_aware(datetime(2014, 3, 3, 10, 0))
SECRET_NAME = "Trần Thị Bí Mật"
SECRET_ID = "079123456789"


@pytest.fixture
def citizen_name():
    return SECRET_NAME


def _returned(office, *, ended=LONG_AGO, keep_store=True):
    """A dossier returned long ago, with a message, an officer file and a result document in storage."""
    dossier = DossierFactory(state=S.RETURNED, applicant=office["citizen"], version=office["version"], people=office)
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant_id_number=SECRET_ID, returned_at=ended, finished_at=ended - timedelta(days=1)
    )
    DossierMessage.objects.create(
        dossier=dossier, author=office["citizen"], from_applicant=True, body=f"Tôi là {SECRET_NAME}, CCCD {SECRET_ID}"
    )
    DossierEvent.objects.create(
        dossier=dossier, kind=EventKind.MESSAGE, comment=f"{SECRET_NAME} hỏi", to_status=S.RETURNED
    )
    officer_file = OfficerFile(
        dossier=dossier,
        kind=OfficerFile.Kind.APPRAISAL,
        name=f"tham-dinh-{SECRET_NAME}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="1" * 64,
        uploaded_by=office["specialist"],
    )
    officer_file.file.save("tham-dinh.pdf", ContentFile(b"%PDF-1.4 appraisal"), save=False)
    officer_file.save()
    document = DossierDocument(dossier=dossier, kind=DossierDocument.Kind.FORM05, sha256="2" * 64)
    document.file.save("form05.pdf", ContentFile(b"%PDF-1.4 form05"), save=False)
    document.save()
    Notification.objects.create(
        key=f"test-{dossier.pk}",
        recipient=office["citizen"],
        channel="email",
        address=office["citizen"].email,
        event="result_returned",
        dossier_code=dossier.code,
        subject="Kết quả",
        body=f"Kính gửi {SECRET_NAME}",
    )
    if not keep_store:  # the citizen removed the files from their document store
        StoredDocument.objects.filter(owner=office["citizen"]).delete()
    return Dossier.objects.get(pk=dossier.pk)


def _files(dossier) -> list[str]:
    return [
        *(a.file.name for a in dossier.attachments.all()),
        *(f.file.name for f in dossier.officer_files.all()),
        *(d.file.name for d in dossier.documents.all()),
    ]


def _row_text(dossier_pk) -> str:
    """Every column of the dossier's row, its messages and events, as the database holds them."""
    with connection.cursor() as cursor:
        texts = []
        for table, column in (
            ("dossiers_dossier", "id"),
            ("dossiers_dossiermessage", "dossier_id"),
            ("dossiers_dossierevent", "dossier_id"),
            ("dossiers_attachment", "dossier_id"),
            ("dossiers_officerfile", "dossier_id"),
        ):
            cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [dossier_pk])  # noqa: S608 - fixed names
            texts.extend(str(value) for row in cursor.fetchall() for value in row)
        code = Dossier.objects.get(pk=dossier_pk).code
        cursor.execute(f"SELECT * FROM {Notification._meta.db_table} WHERE dossier_code = %s", [code])  # noqa: S608
        texts.extend(str(value) for row in cursor.fetchall() for value in row)
    return " ".join(texts)


def test_add_years_keeps_the_day_or_the_end_of_february():
    assert add_years(date(2016, 3, 1), 10) == date(2026, 3, 1)
    assert add_years(date(2016, 2, 29), 1) == date(2017, 2, 28)


def test_listing_takes_closed_dossiers_past_their_retention_once(office):
    due = _returned(office)
    recent = _returned(office, ended=timezone.now() - timedelta(days=30))
    open_ = DossierFactory(state=S.IN_PROCESSING, applicant=office["citizen"], version=office["version"], people=office)
    Dossier.objects.filter(pk=open_.pk).update(finished_at=LONG_AGO)

    assert retention_list_due() == 1
    assert retention_list_due() == 0  # idempotent
    case = DestructionCase.objects.get()
    assert (case.dossier_id, case.agency_id, case.state) == (due.pk, due.competent_agency_id, CaseState.LISTED)
    assert case.ended_on == date(2014, 3, 3)
    assert (case.retention_years, case.retention_ends_on) == (10, date(2024, 3, 3))
    assert not DestructionCase.objects.filter(dossier__in=[recent, open_]).exists()


def test_a_version_s_own_years_and_permanent_retention(office, settings):
    _returned(office)
    long_kept = VersionFactory(agency=office["agency"], retention_years=30)
    forever = VersionFactory(agency=office["agency"], retention_permanent=True)
    for version in (long_kept, forever):
        dossier = _returned(office)
        Dossier.objects.filter(pk=dossier.pk).update(procedure_version=version)
    assert forever.effective_retention_years is None
    assert long_kept.effective_retention_years == 30
    assert retention_list_due() == 1  # only the default-years one
    assert retention_list_due(today=date(2044, 3, 4)) == 1  # the 30-year one, then
    assert retention_list_due(today=date(2500, 1, 1)) == 0  # never the permanent one
    settings.RETENTION_DEFAULT_YEARS = 50
    fresh = _returned(office)
    assert retention_list_due() == 0 and not DestructionCase.objects.filter(dossier=fresh).exists()


def test_approval_destroys_files_and_personal_data_and_keeps_a_record(office, django_capture_on_commit_callbacks):
    from dossiers.models import private_storage

    dossier = _returned(office, keep_store=False)
    files = _files(dossier)
    assert len(files) >= 3 and all(private_storage().exists(name) for name in files)
    assert SECRET_NAME in _row_text(dossier.pk) and SECRET_ID in _row_text(dossier.pk)
    retention_list_due()
    case = DestructionCase.objects.get(dossier=dossier)

    with django_capture_on_commit_callbacks(execute=True):
        destruction_approve(case=case, actor=office["leader"])

    case.refresh_from_db()
    assert case.state == CaseState.DESTROYED and case.destroyed_at is not None
    assert not any(private_storage().exists(name) for name in files)
    text = _row_text(dossier.pk)
    assert SECRET_NAME not in text and SECRET_ID not in text
    assert office["citizen"].email not in text and office["citizen"].phone not in text
    dossier.refresh_from_db()
    # What the indicators read is kept.
    assert (dossier.status, dossier.code, dossier.returned_at) == (S.RETURNED, dossier.code, LONG_AGO)
    assert dossier.applicant_id is None and dossier.attachments.count() == len([f for f in files if "dossiers/" in f])
    record = DestructionRecord.objects.get()
    assert record.dossier_code == dossier.code
    assert (record.procedure_code, record.agency_code) == (office["version"].procedure.code, office["agency"].code)
    assert (record.approved_by_id, record.approved_by_name) == (office["leader"].pk, "Lãnh đạo")
    assert record.files_deleted == len(files) and len(record.manifest_sha256) == 64
    assert record.package_sha256 == ""  # no archive package
    event = dossier.events.get(kind=EventKind.DESTROYED)
    assert (event.actor, event.public, event.data["record"]) == (office["leader"], False, record.pk)
    # The record is kept for ever.
    with pytest.raises(ValidationError):
        record.delete()
    with pytest.raises(ValidationError):
        record.save()
    # Executing twice destroys nothing more and writes no second record.
    assert destruction_execute(case_id=case.pk).pk == record.pk
    assert DestructionRecord.objects.count() == 1


def test_files_the_citizen_s_store_still_holds_are_kept(office, django_capture_on_commit_callbacks):
    from dossiers.models import private_storage

    dossier = _returned(office)
    stored = [s.file.name for s in StoredDocument.objects.filter(owner=office["citizen"])]
    assert stored
    retention_list_due()
    with django_capture_on_commit_callbacks(execute=True):
        destruction_approve(case=dossier.destruction_case, actor=office["leader"])
    assert all(private_storage().exists(name) for name in stored)
    assert not dossier.attachments.exclude(file="").exists()  # the dossier no longer points at them
    record = DestructionRecord.objects.get()
    assert record.files_deleted == 2 and "kept" in record.note  # the officer file and form 05


def test_postpone_hold_and_release(office):
    dossier = _returned(office)
    retention_list_due()
    case = DestructionCase.objects.get(dossier=dossier)
    leader = office["leader"]
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(DestructionRefused, match="reason"):
        destruction_postpone(case=case, actor=leader, until=tomorrow, reason="  ")
    with pytest.raises(DestructionRefused, match="day"):
        destruction_postpone(case=case, actor=leader, until=None, reason="Thanh tra")
    with pytest.raises(DestructionRefused, match="after today"):
        destruction_postpone(case=case, actor=leader, until=timezone.localdate(), reason="Thanh tra")
    case.refresh_from_db()
    assert case.state == CaseState.LISTED and case.history == []

    case = destruction_postpone(case=case, actor=leader, until=tomorrow, reason="Thanh tra năm 2026")
    assert (case.state, case.postponed_until, case.reason) == (CaseState.POSTPONED, tomorrow, "Thanh tra năm 2026")
    retention_list_due()
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.POSTPONED
    retention_list_due(today=tomorrow)  # its day has come: back on the list
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.LISTED

    case = destruction_hold(case=case, actor=leader, reason="Đang có khiếu nại")
    assert case.state == CaseState.ON_HOLD
    with pytest.raises(DestructionRefused, match="legal hold"):
        destruction_approve(case=case, actor=leader)
    retention_list_due(today=date(2100, 1, 1))
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.ON_HOLD  # a hold has no end date
    case = destruction_release(case=case, actor=leader)
    assert case.state == CaseState.LISTED
    assert [h["action"] for h in case.history] == ["postpone", "hold", "release"]
    with pytest.raises(DestructionRefused, match="not on legal hold"):
        destruction_release(case=case, actor=leader)


def test_refusals_leave_everything_unchanged(office, django_capture_on_commit_callbacks):
    dossier = _returned(office)
    retention_list_due()
    case = DestructionCase.objects.get(dossier=dossier)
    leader = office["leader"]

    with pytest.raises(DestructionRefused, match="approve it first"):
        destruction_execute(case_id=case.pk)  # no approval
    with django_capture_on_commit_callbacks(execute=False):
        destruction_approve(case=case, actor=leader)
    destruction_hold(case=case, actor=leader, reason="Tòa án yêu cầu giữ")
    with pytest.raises(DestructionRefused, match="legal hold"):
        destruction_execute(case_id=case.pk)  # held between approval and execution
    # Not yet due: the version's years grew for this dossier's case.
    destruction_release(case=case, actor=leader)
    DestructionCase.objects.filter(pk=case.pk).update(retention_ends_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(DestructionRefused, match="cannot be destroyed yet"):
        destruction_approve(case=case, actor=leader)
    # Not ended: the dossier is being processed again.
    DestructionCase.objects.filter(pk=case.pk).update(retention_ends_on=date(2024, 3, 3))
    Dossier.objects.filter(pk=dossier.pk).update(status=S.IN_PROCESSING)
    with pytest.raises(DestructionRefused, match="has not ended"):
        destruction_approve(case=case, actor=leader)
    # Someone who is not the agency's leader.
    Dossier.objects.filter(pk=dossier.pk).update(status=S.RETURNED)
    for person in (office["specialist"], office["desk"], office["stranger"]):
        with pytest.raises(PermissionDenied):
            destruction_approve(case=case, actor=person)
    other_leader = StaffFactory(agency=office["other_agency"], role=StaffRole.LEADER)
    with pytest.raises(PermissionDenied):
        destruction_hold(case=case, actor=other_leader, reason="x")

    assert DestructionRecord.objects.count() == 0
    dossier.refresh_from_db()
    assert dossier.applicant_name == SECRET_NAME and not dossier.events.filter(kind=EventKind.DESTROYED).exists()


def test_catalogue_import_accepts_retention(db):
    import json

    from procedures.catalogue_io import CatalogueError, export_catalogue, import_catalogue
    from procedures.models import ProcedureVersion
    from tests.procedures.factories import AgencyFactory, FieldFactory

    agency, field = AgencyFactory(code="000.55.00.H99"), FieldFactory(code="ho-tich")

    def entry(code, **extra):
        return {
            "code": code,
            "name": f"Thủ tục {code}",
            "field": field.code,
            "agency": agency.code,
            "level": "commune",
            "service_level": "full",
            "processing_working_days": 3,
            "result": "electronic",
            "documents": [{"name": "Tờ khai"}],
            **extra,
        }

    text = json.dumps(
        {"procedures": [entry("R.1", retention_years=20), entry("R.2", retention_years="permanent"), entry("R.3")]}
    )
    import_catalogue(text)
    versions = {v.procedure.code: v for v in ProcedureVersion.objects.filter(status="published")}
    assert (versions["R.1"].retention_years, versions["R.1"].retention_permanent) == (20, False)
    assert (versions["R.2"].retention_years, versions["R.2"].retention_permanent) == (None, True)
    assert (versions["R.3"].retention_years, versions["R.3"].effective_retention_years) == (None, 10)
    assert import_catalogue(text).changed is False  # the same file twice changes nothing
    exported = {p["code"]: p["retention_years"] for p in export_catalogue()["procedures"]}
    assert exported == {"R.1": 20, "R.2": "permanent", "R.3": None}
    for bad in (0, -1, "forever", True, 2.5):
        with pytest.raises(CatalogueError, match="retention_years"):
            import_catalogue(json.dumps({"procedures": [entry("R.9", retention_years=bad)]}))


def test_a_new_draft_keeps_the_retention(office):
    from procedures.services import procedure_draft_create

    version = office["version"]
    type(version).objects.filter(pk=version.pk).update(retention_years=25)
    draft = procedure_draft_create(procedure=version.procedure)
    assert (draft.retention_years, draft.retention_permanent) == (25, False)
    draft.retention_permanent = True
    with pytest.raises(ValidationError, match="permanently"):
        draft.full_clean()


def test_an_archived_dossier_s_package_goes_and_its_hash_stays_on_the_record(
    office, django_capture_on_commit_callbacks
):
    from archive.models import PackageState
    from archive.services import archive_storage, package_build

    dossier = _returned(office)
    package = package_build(dossier=dossier)
    key = package.storage_key
    assert archive_storage().listdir(f"lta/{dossier.public_id}/")[1]  # the result's B-LTA copy
    assert package.state == PackageState.BUILT and archive_storage().exists(key)
    retention_list_due()
    with django_capture_on_commit_callbacks(execute=True):
        destruction_approve(case=DestructionCase.objects.get(dossier=dossier), actor=office["leader"])
    package.refresh_from_db()
    assert package.state == PackageState.DESTROYED and package.storage_key == ""
    assert not archive_storage().exists(key)
    assert archive_storage().listdir(f"lta/{dossier.public_id}/")[1] == []  # the B-LTA copy of the result too
    assert DestructionRecord.objects.get().package_sha256 == package.sha256
    # The dossier's later events never archive it again.
    assert package_build(dossier=Dossier.objects.get(pk=dossier.pk)).state == PackageState.DESTROYED
