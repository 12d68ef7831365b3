"""The application form of a procedure: a list of typed fields with validation rules.

Each field is a dict: name (identifier), label, type (FormFieldType), required, and
optionally max_length, pattern, min, max, choices, help. The wizard renders it as an
HTML form; admins and the importer get clerk-readable errors from validate_form_schema.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import FormFieldType

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_KNOWN_KEYS = {
    "name",
    "label",
    "label_en",
    "type",
    "required",
    "max_length",
    "pattern",
    "min",
    "max",
    "choices",
    "help",
}


def type_list() -> str:
    """The field types as the messages and the admin's help list them: text (Văn bản), ..."""
    return ", ".join(f"{value} ({label})" for value, label in FormFieldType.choices)


def validate_form_schema(schema) -> None:
    """Raise ValidationError listing every problem in a form schema, each naming its field."""
    if not isinstance(schema, list):
        raise ValidationError(_("The application form must be a list of fields."))
    errors, seen = [], {}
    for index, spec in enumerate(schema, start=1):
        errors.extend(_field_errors(index, spec, seen))
    if errors:
        raise ValidationError(errors)


def _field_errors(index, spec, seen):
    if not isinstance(spec, dict):
        return [_("Field %(n)s: must be an object with name, label and type.") % {"n": index}]
    where = _("Field %(n)s (%(name)s)") % {"n": index, "name": spec.get("name", "?")}
    errors = []

    def problem(message):
        errors.append(f"{where}: {message}")

    unknown = sorted(set(spec) - _KNOWN_KEYS)
    if unknown:
        problem(_("unknown settings %(keys)s.") % {"keys": ", ".join(unknown)})
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problem(_("the name must be lower-case letters, digits and underscores, starting with a letter."))
    elif name in seen:
        problem(_("the name “%(name)s” is already used by field %(n)s.") % {"name": name, "n": seen[name]})
    else:
        seen[name] = index
    if not isinstance(spec.get("label"), str) or not spec.get("label", "").strip():
        problem(_("a label is required."))
    field_type = spec.get("type")
    if field_type in (None, ""):
        problem(_("a type is required; use one of %(types)s.") % {"types": type_list()})
    elif field_type not in FormFieldType.values:
        problem(_("unknown type “%(type)s”; use one of %(types)s.") % {"type": field_type, "types": type_list()})
    if "required" in spec and not isinstance(spec["required"], bool):
        problem(_("“required” must be true or false."))
    if "max_length" in spec and not (isinstance(spec["max_length"], int) and spec["max_length"] > 0):
        problem(_("“max_length” must be a positive whole number."))
    if "pattern" in spec:
        try:
            re.compile(spec["pattern"])
        except (re.error, TypeError):
            problem(_("“pattern” is not a valid regular expression."))
    for bound in ("min", "max"):
        if bound in spec and (field_type != FormFieldType.INTEGER or not isinstance(spec[bound], int)):
            problem(_("“%(bound)s” is allowed only on whole-number fields, as a whole number.") % {"bound": bound})
    if field_type == FormFieldType.CHOICE:
        choices = spec.get("choices")
        if not (isinstance(choices, list) and choices and all(isinstance(c, str) and c.strip() for c in choices)):
            problem(_("a choice field needs its choices: at least one, none empty."))
        elif len(set(choices)) < len(choices):
            twice = next(c for c in choices if choices.count(c) > 1)
            problem(_("the choice “%(choice)s” is listed twice.") % {"choice": twice})
    elif "choices" in spec:
        problem(_("“choices” is allowed only on choice fields."))
    return errors
