"""Erasing a dossier's personal data at the end of its retention (called by the retention app).

The dossier's rows are kept, anonymised: codes, dates, states, agencies, procedures, deadlines,
durations, payments and ratings' scores stay, so every indicator of a past period is the same
before and after. What identifies the applicant (name, ID number, phone, email, addresses, the
form's answers, message texts, event comments, file names) is replaced, and the storage names of
the dossier's files are returned for the caller to delete after commit. A file that something
outside this dossier still holds (the citizen's own document store, another dossier reusing it)
is not deleted: only this dossier's reference to it goes.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Q

from .models import Attachment, Dossier, DossierDocument, DossierEvent, DossierMessage, OfficerFile, StoredDocument

# What replaces a text that identified someone (stored data, not a translated label).
ANONYMISED = "[đã hủy]"
# Keys of events' data and supplement items whose values are someone's words or names.
PERSONAL_KEYS = frozenset(
    {"collected_by", "what", "why", "name", "answer", "message", "comment", "reason", "address", "phone", "email"}
)


@dataclass
class Erasure:
    """What an erasure did: the storage names to delete after commit, and a manifest hash."""

    files: list[str] = field(default_factory=list)
    kept_shared: int = 0
    manifest_sha256: str = ""


def scrub(value):
    """A copy of JSON data with the values of PERSONAL_KEYS replaced, structure kept."""
    if isinstance(value, dict):
        return {
            key: (ANONYMISED if key in PERSONAL_KEYS and isinstance(item, str) and item else scrub(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def _form_scrub(data: dict) -> dict:
    """Every answer of the application form goes (the keys stay: the schema is public)."""
    return {key: (ANONYMISED if isinstance(value, str) and value else None) for key, value in (data or {}).items()}


def dossier_erase(*, dossier: Dossier, extra_files: list[tuple[str, str]] = ()) -> Erasure:
    """Anonymise the dossier's rows in the caller's transaction (it must hold the dossier's row
    lock) and return the files to delete once it commits. `extra_files` are (storage name, sha256)
    pairs of the apps above (payment receipts) to count in the manifest."""
    rows = [
        *(("attachment", a.file.name, a.sha256) for a in dossier.attachments.all()),
        *(("officer_file", f.file.name, f.sha256) for f in dossier.officer_files.all()),
        *(("document", d.file.name, d.sha256) for d in dossier.documents.all()),
        *(("extra", name, sha) for name, sha in extra_files),
    ]
    manifest = sorted([kind, sha] for kind, name, sha in rows if name)
    erasure = Erasure(manifest_sha256=hashlib.sha256(json.dumps(manifest).encode()).hexdigest())
    names = {name for _kind, name, _sha in rows if name}
    for name in sorted(names):
        if _held_elsewhere(name, dossier):
            erasure.kept_shared += 1
        else:
            erasure.files.append(name)

    Attachment.objects.filter(dossier=dossier).update(file="", name=ANONYMISED)
    OfficerFile.objects.filter(dossier=dossier).update(file="", name=ANONYMISED)
    DossierDocument.objects.filter(dossier=dossier).update(file="")
    DossierMessage.objects.filter(dossier=dossier).update(body=ANONYMISED)
    for request in dossier.supplement_requests.all():
        request.message = ANONYMISED if request.message else ""
        request.answer = ANONYMISED if request.answer else ""
        request.items = scrub(request.items)
        request.save(update_fields=["message", "answer", "items"])
    if hasattr(dossier, "rating"):
        dossier.rating.comment = ""
        dossier.rating.save(update_fields=["comment"])
    DossierEvent.anonymise_for(dossier.pk, placeholder=ANONYMISED, scrub=scrub)

    dossier.applicant = None
    dossier.applicant_name = ANONYMISED
    dossier.applicant_id_number = dossier.applicant_phone = dossier.applicant_email = ""
    dossier.applicant_address = dossier.delivery_address = ""
    dossier.withdrawal_reason = ANONYMISED if dossier.withdrawal_reason else ""
    dossier.collected_by = ANONYMISED if dossier.collected_by else ""
    dossier.form_data = _form_scrub(dossier.form_data)
    dossier.save(
        update_fields=[
            "applicant",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "delivery_address",
            "withdrawal_reason",
            "collected_by",
            "form_data",
            "updated_at",
        ]
    )
    return erasure


def _held_elsewhere(name: str, dossier: Dossier) -> bool:
    """Whether a row outside this dossier still points at the stored file (attachments and the
    citizen's store share files)."""
    return (
        Attachment.objects.filter(file=name).exclude(dossier=dossier).exists()
        or StoredDocument.objects.filter(file=name).exists()
        or DossierDocument.objects.filter(Q(file=name) & ~Q(dossier=dossier)).exists()
        or OfficerFile.objects.filter(file=name).exclude(dossier=dossier).exists()
    )
