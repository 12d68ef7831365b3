"""Import (and export) the catalogue in the JSON format of the shared sample.

The import validates the whole file first and reports every problem with its line and
field; only a file without problems is applied, in one transaction, so nothing is ever
half-imported. Applying the same file twice changes nothing: a procedure gets a new
published version only when its content differs from the one already published.
"""

import json
from dataclasses import dataclass, field
from json import decoder as json_decoder
from json import scanner as json_scanner

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import TemplateSyntaxError

from portal.constants import StaffRole
from portal.template_sandbox import sandbox_template

from .constants import FeeUnit, Level, ResultType, ServiceLevel, VersionStatus
from .form_schema import validate_form_schema
from .models import Agency, DocumentRequirement, FeeRule, Field, Procedure, ProcedureVersion, StepTemplate
from .services import next_version_number, procedure_version_publish

# `retention_years` in a file: a number of years, "permanent", or absent (the province default).
PERMANENT = "permanent"

# An agency's one-stop desk, as the file may give it (all optional): key -> longest text.
AGENCY_CONTACT = {"address": 255, "opening_hours": 255, "hotline": 32, "email": 254}


class CatalogueError(Exception):
    """The file was rejected; `problems` lists each one as 'line N, path: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    fields_created: int = 0
    fields_updated: int = 0
    agencies_created: int = 0
    agencies_updated: int = 0
    procedures_created: int = 0
    procedures_updated: int = 0
    procedures_unchanged: int = 0
    published: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.fields_created,
                self.fields_updated,
                self.agencies_created,
                self.agencies_updated,
                self.procedures_created,
                self.procedures_updated,
            )
        )


# --- Reading with line numbers ----------------------------------------------------------


class _Located(dict):
    line = 0


def _loads_with_lines(text: str):
    """json.loads, but every object remembers the line it starts on (for error messages)."""
    dec = json.JSONDecoder(object_pairs_hook=_Located)

    def parse_object(s_and_end, *args, **kwargs):
        s, end = s_and_end
        obj, new_end = json_decoder.JSONObject(s_and_end, *args, **kwargs)
        obj.line = s.count("\n", 0, end) + 1
        return obj, new_end

    dec.parse_object = parse_object
    dec.scan_once = json_scanner.py_make_scanner(dec)  # the C scanner ignores parse_object
    return dec.decode(text)


# --- Validation -------------------------------------------------------------------------


class _Checker:
    def __init__(self):
        self.problems: list[str] = []

    def fail(self, obj, path: str, message: str):
        line = getattr(obj, "line", 0)
        self.problems.append(f"line {line}, {path}: {message}" if line else f"{path}: {message}")

    def text(self, obj, key, path, *, required=True, max_length=500):
        value = obj.get(key)
        if value is None and not required:
            return
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(obj, f"{path}.{key}", "must be a non-empty text")
        elif len(value) > max_length:
            self.fail(obj, f"{path}.{key}", f"is longer than {max_length} characters")

    def integer(self, obj, key, path, *, required=True, minimum=0):
        value = obj.get(key)
        if value is None and not required:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(obj, f"{path}.{key}", f"must be a whole number ≥ {minimum}")

    def choice(self, obj, key, path, choices, *, required=True):
        value = obj.get(key)
        if value is None and not required:
            return
        if value not in choices:
            self.fail(obj, f"{path}.{key}", f"must be one of {', '.join(choices)} (got {value!r})")

    def boolean(self, obj, key, path, *, required=True):
        value = obj.get(key)
        if value is None and not required:
            return
        if not isinstance(value, bool):
            self.fail(obj, f"{path}.{key}", "must be true or false")

    def items(self, obj, key, path, *, required=True):
        value = obj.get(key, None if required else [])
        if not isinstance(value, list):
            self.fail(obj, f"{path}.{key}", "must be a list")
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                good.append((f"{path}.{key}[{index}]", item))
            else:
                self.fail(obj, f"{path}.{key}[{index}]", "must be an object")
        return good


def _validate(data) -> None:
    check = _Checker()
    if not isinstance(data, dict):
        raise CatalogueError(["the file must hold one JSON object with fields, agencies and procedures"])
    field_codes, agency_codes, procedure_codes = set(), set(), set()
    for path, item in check.items(data, "fields", "$", required=False):
        check.text(item, "code", path, max_length=32)
        check.text(item, "name", path, max_length=255)
        check.text(item, "name_en", path, required=False, max_length=255)
        _unique(check, item, path, field_codes)
    agencies = check.items(data, "agencies", "$", required=False)
    for path, item in agencies:
        check.text(item, "code", path, max_length=32)
        check.text(item, "name", path, max_length=255)
        check.text(item, "name_en", path, required=False, max_length=255)
        check.choice(item, "level", path, Level.values)
        for key, length in AGENCY_CONTACT.items():
            check.text(item, key, path, required=False, max_length=length)
        if isinstance(item.get("email"), str) and item["email"]:
            try:
                validate_email(item["email"])
            except ValidationError:
                check.fail(item, f"{path}.email", "is not an email address")
        _unique(check, item, path, agency_codes)
    known_agencies = agency_codes | set(Agency.objects.values_list("code", flat=True))
    known_fields = field_codes | set(Field.objects.values_list("code", flat=True))
    parents = {}
    for path, item in agencies:
        parent = item.get("parent")
        if parent is not None and parent not in known_agencies:
            check.fail(item, f"{path}.parent", f"unknown agency {parent!r}")
        parents[item.get("code")] = parent
    for code in parents:  # a parent chain must end, not loop
        seen, node = set(), code
        while node is not None and node in parents and node not in seen:
            seen.add(node)
            node = parents[node]
        if node in seen:
            check.fail({}, "$.agencies", f"agency {code!r} is its own ancestor")
            break
    for path, item in check.items(data, "procedures", "$"):
        path = f"{path} ({item.get('code', '?')})"
        _validate_procedure(check, item, path, known_fields, known_agencies)
        _unique(check, item, path, procedure_codes)
    if check.problems:
        raise CatalogueError(check.problems)


def _unique(check, item, path, seen):
    code = item.get("code")
    if isinstance(code, str):
        if code in seen:
            check.fail(item, f"{path}.code", f"{code!r} appears twice")
        seen.add(code)


def _validate_procedure(check, item, path, known_fields, known_agencies):
    check.text(item, "code", path, max_length=32)
    check.text(item, "name", path)
    for key in ("name_en", "description", "legal_basis", "partial_reason", "result_template"):
        check.text(
            item,
            key,
            path,
            required=False,
            max_length=100_000 if key in ("description", "legal_basis", "result_template") else 500,
        )
    if isinstance(item.get("result_template"), str):
        try:
            sandbox_template(item["result_template"])  # the same rule as the admin's
        except TemplateSyntaxError as error:
            check.fail(item, f"{path}.result_template", str(error))
    if item.get("field") not in known_fields:
        check.fail(item, f"{path}.field", f"unknown field {item.get('field')!r}")
    if item.get("agency") not in known_agencies:
        check.fail(item, f"{path}.agency", f"unknown agency {item.get('agency')!r}")
    check.choice(item, "level", path, Level.values)
    check.choice(item, "service_level", path, ServiceLevel.values)
    check.choice(item, "result", path, ResultType.values)
    check.integer(item, "processing_working_days", path)
    check.boolean(item, "cross_boundary", path, required=False)
    retention = item.get("retention_years")
    if (
        retention is not None
        and retention != PERMANENT
        and (isinstance(retention, bool) or not isinstance(retention, int) or not 1 <= retention <= 32767)
    ):
        check.fail(item, f"{path}.retention_years", f"must be a whole number of years ≥ 1 or {PERMANENT!r}")
    for fpath, fee in check.items(item, "fees", path, required=False):
        check.text(fee, "name", fpath, max_length=255)
        check.integer(fee, "amount", fpath)
        check.integer(fee, "online_amount", fpath, required=False)
        check.choice(fee, "per", fpath, [FeeUnit.PAGE, FeeUnit.COPY], required=False)
        check.integer(fee, "after_page", fpath, required=False, minimum=1)
        check.integer(fee, "then", fpath, required=False)
        check.integer(fee, "cap", fpath, required=False)
        if ("after_page" in fee) != ("then" in fee):
            check.fail(fee, fpath, "after_page and then go together")
        if "per" not in fee and ("after_page" in fee or "cap" in fee):
            check.fail(fee, fpath, "tiers and caps need per: page or copy")
    for dpath, doc in check.items(item, "documents", path, required=False):
        check.text(doc, "name", dpath)
        check.text(doc, "name_en", dpath, required=False)
        check.integer(doc, "originals", dpath, required=False)
        check.integer(doc, "copies", dpath, required=False)
        check.boolean(doc, "required", dpath, required=False)
    for spath, step in check.items(item, "steps", path, required=False):
        check.text(step, "name", spath, max_length=255)
        check.text(step, "name_en", spath, required=False, max_length=255)
        check.choice(step, "role", spath, StaffRole.values)
        value = step.get("days")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            check.fail(step, f"{spath}.days", "must be a number of working days ≥ 0")
    form = item.get("form", [])
    try:
        validate_form_schema(form)
    except ValidationError as error:
        for message in error.messages:
            check.fail(item, f"{path}.form", message)


# --- Canonical content, shared by import and export --------------------------------------


def _entry_content(item: dict) -> dict:
    """The parts of a file entry that make up a version's content, with defaults filled."""
    return {
        "name": item["name"],
        "name_en": item.get("name_en", ""),
        "description": item.get("description", ""),
        "field": item["field"],
        "agency": item["agency"],
        "level": item["level"],
        "service_level": item["service_level"],
        "partial_reason": item.get("partial_reason", ""),
        "processing_working_days": item["processing_working_days"],
        "result": item["result"],
        "cross_boundary": item.get("cross_boundary", False),
        "legal_basis": item.get("legal_basis", ""),
        "retention_years": item.get("retention_years"),
        "result_template": item.get("result_template", ""),
        "form": [dict(spec) for spec in item.get("form", [])],
        "fees": [
            {
                "name": fee["name"],
                "amount": fee["amount"],
                "online_amount": fee.get("online_amount"),
                "per": fee.get("per"),
                "after_page": fee.get("after_page"),
                "then": fee.get("then"),
                "cap": fee.get("cap"),
            }
            for fee in item.get("fees", [])
        ],
        "documents": [
            {
                "name": doc["name"],
                "name_en": doc.get("name_en", ""),
                "originals": doc.get("originals", 1),
                "copies": doc.get("copies", 0),
                "required": doc.get("required", True),
            }
            for doc in item.get("documents", [])
        ],
        "steps": [
            {"name": s["name"], "name_en": s.get("name_en", ""), "role": s["role"], "days": float(s["days"])}
            for s in item.get("steps", [])
        ],
    }


def version_content(version: ProcedureVersion) -> dict:
    """A version as a catalogue entry (the export format, without defaults dropped)."""
    return {
        "name": version.name,
        "name_en": version.name_en,
        "description": version.description,
        "field": version.field.code,
        "agency": version.agency.code,
        "level": version.level,
        "service_level": version.service_level,
        "partial_reason": version.partial_reason,
        "processing_working_days": version.processing_days,
        "result": version.result_type,
        "cross_boundary": version.cross_boundary,
        "legal_basis": version.legal_basis,
        "retention_years": PERMANENT if version.retention_permanent else version.retention_years,
        "result_template": version.result_template,
        "form": version.form_schema,
        "fees": [
            {
                "name": fee.name,
                "amount": fee.amount,
                "online_amount": fee.online_amount,
                "per": None if fee.unit == FeeUnit.DOSSIER else fee.unit,
                "after_page": fee.tier_after,
                "then": fee.tier_amount,
                "cap": fee.cap,
            }
            for fee in version.fees.all()
        ],
        "documents": [
            {
                "name": d.name,
                "name_en": d.name_en,
                "originals": d.originals,
                "copies": d.copies,
                "required": d.required,
            }
            for d in version.documents.all()
        ],
        "steps": [
            {"name": s.name, "name_en": s.name_en, "role": s.role, "days": float(s.working_days)}
            for s in version.steps.all()
        ],
    }


# --- Applying ---------------------------------------------------------------------------


def import_catalogue(text: str) -> ImportReport:
    """Validate the whole file, then apply it in one transaction."""
    try:
        data = _loads_with_lines(text)
    except json.JSONDecodeError as error:
        raise CatalogueError([f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"]) from None
    _validate(data)
    report = ImportReport()
    with transaction.atomic():
        _apply_fields(data.get("fields", []), report)
        agencies = _apply_agencies(data.get("agencies", []), report)
        fields = {f.code: f for f in Field.objects.all()}
        problems = []
        for item in data["procedures"]:
            try:
                _apply_procedure(item, fields, agencies, report)
            except ValidationError as error:
                problems.extend(f"line {item.line}, procedure {item['code']}: {m}" for m in error.messages)
        if problems:
            raise CatalogueError(problems)  # rolls the whole transaction back
    return report


def _apply_fields(items, report):
    existing = {f.code: f for f in Field.objects.all()}
    for item in items:
        values = {"name": item["name"], "name_en": item.get("name_en", "")}
        current = existing.get(item["code"])
        if current is None:
            Field.objects.create(code=item["code"], **values)
            report.fields_created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            Field.objects.filter(pk=current.pk).update(**values)
            report.fields_updated += 1


def _apply_agencies(items, report):
    agencies = {a.code: a for a in Agency.objects.all()}
    created = set()
    for item in items:  # first pass: the agencies themselves, parents after
        values = {
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "level": item["level"],
            **{key: item.get(key, "") for key in AGENCY_CONTACT},
        }
        current = agencies.get(item["code"])
        if current is None:
            agencies[item["code"]] = Agency.objects.create(code=item["code"], **values)
            created.add(item["code"])
            report.agencies_created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            Agency.objects.filter(pk=current.pk).update(**values)
            report.agencies_updated += 1
    for item in items:
        agency = agencies[item["code"]]
        parent = agencies[item["parent"]] if item.get("parent") else None
        if agency.parent_id != (parent.pk if parent else None):
            Agency.objects.filter(pk=agency.pk).update(parent=parent)
            report.agencies_updated += item["code"] not in created
    return agencies


def _apply_procedure(item, fields, agencies, report):
    content = _entry_content(item)
    procedure, created = Procedure.objects.get_or_create(code=item["code"])
    blank_forms = {}  # the file carries no blank forms: a new version keeps the admin's uploads
    if not created:
        if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
            raise ValidationError(
                "has an unpublished draft in the admin; publish or delete that draft before importing"
            )
        current = (
            procedure.versions.filter(status=VersionStatus.PUBLISHED)
            .select_related("field", "agency")
            .prefetch_related("fees", "documents", "steps")
            .first()
        )
        if current is not None and version_content(current) == content:
            report.procedures_unchanged += 1
            return
        if current is not None:
            blank_forms = {d.name: d.template.name for d in current.documents.all() if d.template}
    version = ProcedureVersion(
        procedure=procedure,
        number=next_version_number(procedure),
        status=VersionStatus.DRAFT,
        name=content["name"],
        name_en=content["name_en"],
        description=content["description"],
        field=fields[content["field"]],
        agency=agencies[content["agency"]],
        level=content["level"],
        service_level=content["service_level"],
        partial_reason=content["partial_reason"],
        processing_days=content["processing_working_days"],
        result_type=content["result"],
        cross_boundary=content["cross_boundary"],
        legal_basis=content["legal_basis"],
        retention_years=None if content["retention_years"] == PERMANENT else content["retention_years"],
        retention_permanent=content["retention_years"] == PERMANENT,
        result_template=content["result_template"],
        form_schema=content["form"],
    )
    version.save()
    FeeRule.objects.bulk_create(
        [
            FeeRule(
                version=version,
                position=i,
                name=f["name"],
                unit=f["per"] or FeeUnit.DOSSIER,
                amount=f["amount"],
                online_amount=f["online_amount"],
                tier_after=f["after_page"],
                tier_amount=f["then"],
                cap=f["cap"],
            )
            for i, f in enumerate(content["fees"])
        ]
    )
    DocumentRequirement.objects.bulk_create(
        [
            DocumentRequirement(
                version=version,
                position=i,
                name=d["name"],
                name_en=d["name_en"],
                originals=d["originals"],
                copies=d["copies"],
                required=d["required"],
                template=blank_forms.get(d["name"], ""),
            )
            for i, d in enumerate(content["documents"])
        ]
    )
    StepTemplate.objects.bulk_create(
        [
            StepTemplate(
                version=version,
                position=i,
                name=s["name"],
                name_en=s["name_en"],
                role=s["role"],
                working_days=s["days"],
            )
            for i, s in enumerate(content["steps"])
        ]
    )
    procedure_version_publish(version=version)
    if created:
        report.procedures_created += 1
    else:
        report.procedures_updated += 1
    report.published.append(f"{procedure.code} v{version.number}")


def export_catalogue() -> dict:
    """The published catalogue in the import format."""
    versions = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure", "field", "agency")
        .prefetch_related("fees", "documents", "steps")
        .order_by("procedure__code")
    )
    return {
        "fields": [{"code": f.code, "name": f.name, "name_en": f.name_en} for f in Field.objects.order_by("code")],
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "name_en": a.name_en,
                "level": a.level,
                "parent": a.parent.code if a.parent else None,
                **{key: getattr(a, key) for key in AGENCY_CONTACT},
            }
            for a in Agency.objects.select_related("parent").order_by("code")
        ],
        "procedures": [{"code": v.procedure.code, **version_content(v)} for v in versions],
    }
