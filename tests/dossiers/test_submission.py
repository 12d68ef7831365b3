"""Submitting a dossier: code, snapshot, idempotency, completeness (dossiers/services.py)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from dossiers import services
from dossiers.codes import next_dossier_code
from dossiers.constants import DossierStatus, EventKind
from dossiers.models import Dossier, DossierEvent, StoredDocument
from tests.procedures.factories import AgencyFactory

from .factories import CitizenFactory, birth_procedure, filled_draft, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return birth_procedure()


def test_submit_gives_a_code_snapshots_the_applicant_and_emails(version, django_capture_on_commit_callbacks):
    citizen = CitizenFactory(full_name="Trần Thị Mai")
    draft = filled_draft(citizen, version)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_submit(dossier=draft, actor=citizen)
    assert re.fullmatch(r"000\.20\.00\.H99-\d{6}-0001", dossier.code)
    assert dossier.status == DossierStatus.SUBMITTED and dossier.national_status == 1
    assert dossier.procedure_version_id == version.pk
    assert dossier.form_data == {"child_name": "Nguyễn Văn Bé", "child_dob": "2026-11-01", "copies": 2}
    citizen.full_name = "Tên mới"
    citizen.save()
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Trần Thị Mai"
    assert list(dossier.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.SUBMITTED]
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].subject + mail.outbox[0].body


def test_submitting_twice_creates_one_dossier(version, django_capture_on_commit_callbacks):
    citizen = CitizenFactory()
    draft = filled_draft(citizen, version)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.dossier_submit(dossier=draft, actor=citizen)
        second = services.dossier_submit(dossier=draft, actor=citizen)
    assert first.code == second.code
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1
    assert len(mail.outbox) == 1


def test_incomplete_draft_is_refused_and_unchanged(version):
    citizen = CitizenFactory()
    draft = services.dossier_draft_start(applicant=citizen, version=version)
    services.dossier_draft_update(
        dossier=draft, applicant_data={}, form_data={"child_dob": "31/02/2026"}, delivery="post", delivery_address=""
    )
    with pytest.raises(services.DossierIncomplete) as error:
        services.dossier_submit(dossier=draft, actor=citizen)
    problems = error.value.problems
    assert set(problems.form) == {"child_name", "child_dob"}
    assert "delivery_address" in problems.delivery
    assert "applicant_name" in problems.applicant
    assert [d.name for d in problems.missing_documents] == ["Tờ khai", "Giấy chứng sinh"]
    draft.refresh_from_db()
    assert draft.status == DossierStatus.DRAFT and draft.code is None


def test_draft_is_resumed_not_duplicated(version):
    citizen = CitizenFactory()
    first = services.dossier_draft_start(applicant=citizen, version=version)
    assert services.dossier_draft_start(applicant=citizen, version=version).pk == first.pk
    assert first.applicant_id_number == citizen.personal_id  # prefilled from the profile


def test_form_fields_the_profile_answers_are_prefilled():
    from tests.procedures.factories import VersionFactory

    citizen = CitizenFactory(full_name="Đỗ Văn Hùng", personal_id="079203004567")
    version = VersionFactory(
        published=True,
        form_schema=[
            {"name": "full_name", "label": "Họ tên", "type": "text", "required": True},
            {"name": "id_number", "label": "Số định danh", "type": "text", "required": True},
            {"name": "reason", "label": "Lý do", "type": "text", "required": True},
        ],
    )
    draft = services.dossier_draft_start(applicant=citizen, version=version)
    assert draft.form_data == {"full_name": "Đỗ Văn Hùng", "id_number": "079203004567"}


def test_codes_count_per_unit_per_day():
    agency, other = AgencyFactory(code="000.20.00.H99"), AgencyFactory(code="000.21.00.H99")
    day = datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert next_dossier_code(agency=agency, at=day) == "000.20.00.H99-261123-0001"
    assert next_dossier_code(agency=agency, at=day) == "000.20.00.H99-261123-0002"
    assert next_dossier_code(agency=other, at=day) == "000.21.00.H99-261123-0001"
    # 17:00 UTC on the 23rd is already the 24th in Hà Nội.
    assert next_dossier_code(agency=agency, at=datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("UTC"))).endswith(
        "-261124-0001"
    )


def test_attachments_go_into_the_citizen_store_and_can_be_reused(version):
    citizen = CitizenFactory()
    services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    stored = StoredDocument.objects.filter(owner=citizen)
    assert sorted(stored.values_list("document_type", flat=True)) == ["Giấy chứng sinh", "Tờ khai"]

    # A second dossier for another procedure asking for the same documents: pick, don't upload.
    other = birth_procedure()
    draft = services.dossier_draft_start(applicant=citizen, version=other)
    for doc in other.documents.filter(required=True):
        chosen = stored.get(document_type=doc.name)
        services.dossier_attach_stored(dossier=draft, requirement_id=doc.pk, stored_id=chosen.public_id)
    assert services.dossier_problems(draft).missing_documents == []
    assert draft.attachments.filter(reused_from__isnull=False).count() == 2


def test_someone_elses_stored_document_cannot_be_reused(version):
    owner, thief = CitizenFactory(), CitizenFactory()
    services.dossier_submit(dossier=filled_draft(owner, version), actor=owner)
    draft = services.dossier_draft_start(applicant=thief, version=version)
    doc = version.documents.get(name="Tờ khai")
    with pytest.raises(ValidationError):
        services.dossier_attach_stored(
            dossier=draft, requirement_id=doc.pk, stored_id=StoredDocument.objects.first().public_id
        )


def test_requirement_of_another_procedure_is_refused(version):
    citizen = CitizenFactory()
    draft = services.dossier_draft_start(applicant=citizen, version=version)
    foreign = birth_procedure().documents.first()
    with pytest.raises(ValidationError):
        services.dossier_attach(dossier=draft, requirement_id=foreign.pk, upload=pdf_upload())
