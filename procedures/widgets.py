"""The admin's editor of a procedure version's application form (form_schema).

The field is the validated JSON textarea (what saves, and all there is without JavaScript);
static/js/form_schema_editor.js turns it into rows of fields and writes the JSON back on every
change. Beside it: the format's documentation and a "Preview" button that posts the form being
edited to the citizen form's preview (dossiers: the same generator the draft form uses)."""

import json

from django import forms
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .constants import FormFieldType

EXAMPLE = [
    {"name": "full_name", "label": "Họ và tên người được cấp", "type": "text", "required": True, "max_length": 100},
    {"name": "dob", "label": "Ngày sinh", "type": "date", "required": True},
    {"name": "purpose", "label": "Mục đích", "type": "choice", "choices": ["Đi học", "Đi làm", "Khác"]},
    {"name": "copies", "label": "Số bản sao", "type": "integer", "min": 1, "max": 10, "help": "Tối đa 10 bản."},
]


class FormSchemaWidget(forms.Textarea):
    editor_template_name = "procedures/widgets/form_schema.html"  # the textarea is Django's

    class Media:
        js = ["js/form_schema_editor.js"]
        css = {"all": ["css/form_schema_editor.css"]}

    def __init__(self, attrs=None):
        super().__init__({"rows": 12, "cols": 80, "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        # A saved list shows indented, one setting a line; text typed in (maybe broken) as typed.
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates (not the form renderer's), so the page lives in templates/.
        textarea = super().render(name, value, attrs, renderer)
        try:
            preview_url = reverse("dossiers:form_preview")
        except NoReverseMatch:  # pragma: no cover - the dossiers app is always installed
            preview_url = ""
        strings = {
            "add": _("Add a field"),
            "remove": _("Remove"),
            "up": _("Move up"),
            "down": _("Move down"),
            "name": _("Name"),
            "label": _("Label"),
            "type": _("Type"),
            "required": _("Required"),
            "choices": _("Choices (one per line)"),
            "help": _("Help text"),
            "row": _("Field %(n)s"),
            "asJson": _("Edit as JSON"),
            "asRows": _("Edit as rows"),
            "empty": _("No fields yet: the citizen fills in only their own details."),
            "broken": _("This JSON cannot be shown as rows; correct it in the box, then choose “Edit as rows”."),
        }
        types = [(value, str(label)) for value, label in FormFieldType.choices]
        context = {
            "textarea": textarea,
            "id": (attrs or {}).get("id", ""),
            "types": types,
            "types_json": json.dumps(types, ensure_ascii=False),
            "strings_json": json.dumps({key: str(text) for key, text in strings.items()}, ensure_ascii=False),
            "example": json.dumps(EXAMPLE, ensure_ascii=False, indent=2),
            "preview_url": preview_url,
            "placeholder": "{{ form.<name> }}",
        }
        return mark_safe(render_to_string(self.editor_template_name, context))  # noqa: S308 - an auto-escaped template
