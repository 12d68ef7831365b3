"""Writes to the catalogue: drafting, publishing and archiving procedure versions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import VersionStatus
from .models import Procedure, ProcedureVersion

# Content fields copied from one version to the next draft.
_COPIED_FIELDS = [
    "name",
    "name_en",
    "description",
    "field_id",
    "agency_id",
    "level",
    "service_level",
    "partial_reason",
    "processing_days",
    "result_type",
    "cross_boundary",
    "legal_basis",
    "retention_years",
    "retention_permanent",
    "form_schema",
    "result_template",
]
_CHILD_FIELDS = {
    "documents": ["position", "name", "name_en", "originals", "copies", "required", "template"],
    "fees": ["position", "name", "unit", "amount", "online_amount", "tier_after", "tier_amount", "cap"],
    "steps": ["position", "name", "name_en", "role", "working_days"],
}


@transaction.atomic
def procedure_draft_create(*, procedure: Procedure) -> ProcedureVersion:
    """Open a draft to edit: the existing draft, or a copy of the newest version."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = procedure.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("This procedure has no version to copy; add one in the admin."))
    draft = ProcedureVersion(procedure=procedure, number=source.number + 1, status=VersionStatus.DRAFT)
    for name in _COPIED_FIELDS:
        setattr(draft, name, getattr(source, name))
    draft.save()
    for relation, fields in _CHILD_FIELDS.items():
        manager = getattr(source, relation)
        model = manager.model
        model.objects.bulk_create(
            [model(version=draft, **{f: getattr(row, f) for f in fields}) for row in manager.all()]
        )
    return draft


def next_version_number(procedure: Procedure) -> int:
    return (procedure.versions.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def procedure_version_publish(*, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft; the version published before it is archived."""
    Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s; only a draft can be published.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    version.full_clean()
    if not version.documents.exists() and not version.form_schema:
        raise ValidationError(_("A procedure needs at least one required document or an application form."))
    now = timezone.now()
    for previous in ProcedureVersion.objects.filter(procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED):
        previous.status, previous.archived_at = VersionStatus.ARCHIVED, now
        previous.save(update_fields=["status", "archived_at"])
    version.status, version.published_at = VersionStatus.PUBLISHED, now
    version.save(update_fields=["status", "published_at"])
    return version


@transaction.atomic
def procedure_version_archive(*, version: ProcedureVersion) -> ProcedureVersion:
    """Withdraw a published version from the catalogue (the procedure is abolished)."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published version can be archived."))
    version.status, version.archived_at = VersionStatus.ARCHIVED, timezone.now()
    version.save(update_fields=["status", "archived_at"])
    return version
