"""Published versions never change; editing goes through a new draft."""

import pytest
from django.core.exceptions import ValidationError

from procedures.constants import VersionStatus
from procedures.models import FeeRule, ImmutableVersionError, ProcedureVersion
from procedures.services import procedure_draft_create, procedure_version_archive, procedure_version_publish

from .factories import VersionFactory

pytestmark = pytest.mark.django_db


def test_editing_a_published_version_leaves_it_unchanged():
    published = VersionFactory(name="Đăng ký khai sinh", published=True)
    version = ProcedureVersion.objects.get(pk=published.pk)
    version.name = "Tên khác"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    with pytest.raises(ImmutableVersionError):
        FeeRule.objects.create(version=version, name="Phí mới", amount=1000)
    with pytest.raises(ImmutableVersionError):
        version.documents.first().delete()
    assert ProcedureVersion.objects.get(pk=published.pk).name == "Đăng ký khai sinh"


def test_draft_copies_content_and_publishing_archives_the_old_version():
    v1 = VersionFactory(name="Đăng ký khai sinh", processing_days=3, published=True)
    FeeRule.objects.bulk_create([FeeRule(version=v1, name="Lệ phí", amount=8000)])  # frozen rows can be seeded
    draft = procedure_draft_create(procedure=v1.procedure)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert list(draft.documents.values_list("name", flat=True)) == ["Tờ khai"]
    assert list(draft.fees.values_list("name", "amount")) == [("Lệ phí", 8000)]
    # Opening a draft twice gives the same draft.
    assert procedure_draft_create(procedure=v1.procedure).pk == draft.pk

    draft.processing_days = 5
    draft.save()
    procedure_version_publish(version=draft)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.ARCHIVED and v1.archived_at is not None
    assert v1.processing_days == 3  # the old content is kept for the dossiers filed under it
    assert ProcedureVersion.objects.get(procedure=v1.procedure, status=VersionStatus.PUBLISHED).processing_days == 5


def test_only_a_draft_can_be_published(english):
    version = VersionFactory(published=True)
    with pytest.raises(ValidationError, match="only a draft"):
        procedure_version_publish(version=version)


def test_archive_removes_from_catalogue():
    version = VersionFactory(published=True)
    procedure_version_archive(version=version)
    assert not ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()
    with pytest.raises(ValidationError):
        procedure_version_archive(version=version)


def test_bad_form_schema_is_refused_with_the_field_named(english):
    draft = VersionFactory(form_schema=[{"name": "dob", "label": "Ngày sinh", "type": "dat"}])
    with pytest.raises(ValidationError) as error:
        procedure_version_publish(version=draft)
    assert "Field 1 (dob)" in str(error.value)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
