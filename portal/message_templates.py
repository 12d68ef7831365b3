"""The placeholders admins may use in notification templates, and their rendering.

Admin-edited texts are not Django templates: a template could read any attribute of the objects
in its context (`{{ event.actor.password }}`) or dump it (`{% debug %}`) into a citizen's inbox.
They get a fixed list of `{{ name }}` placeholders, each replaced by a plain string; anything
else is refused when the admin saves and never rendered.
"""

import re

from django.utils.translation import gettext_lazy as _

# name -> what it holds (shown to admins). Callers pass these as strings (dossiers/fanout.py).
PLACEHOLDERS = {
    "dossier_code": _("the dossier code"),
    "procedure_name": _("the procedure's name"),
    "applicant_name": _("the applicant's name"),
    "status": _("what happened, e.g. “Received”"),
    "due_date": _("the due date (HH:MM dd/mm/yyyy)"),
    "step_due_date": _("the current step's due date"),
    "amount": _("the fee due, e.g. 200.000"),
    "comment": _("the officer's public comment"),
    "link": _("the address of the dossier's page"),
    "lookup_link": _("the public lookup address"),
}

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
# Any opening of Django template syntax: a tag, a comment or a variable.
SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{\{|\{%|\{#", re.DOTALL)


def allowed_placeholders_text() -> str:
    return ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)


def template_problems(text: str) -> list[str]:
    """What is not allowed in an admin's template text: anything but a known `{{ placeholder }}`."""
    problems = []
    for match in SYNTAX.finditer(text):
        token = match.group(0)
        simple = PLACEHOLDER.fullmatch(token)
        if simple is None or simple.group(1) not in PLACEHOLDERS:
            problems.append(token)
    return problems


def render_message(text: str, values: dict[str, str]) -> str:
    """Replace each placeholder by its value (strings only; a missing value is empty)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), text)
