"""The admin's preview of an application form being edited: the citizen's draft-form section,
rendered by the generator the draft form uses (forms.application_form_class), nothing saved."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procedures.form_schema import validate_form_schema

from .forms import application_form_class, mark_for_people


@require_POST
@login_required
def form_preview(request):
    """POST form_schema (the JSON the admin's editor writes) and the version's name; the page
    shows the form as citizens will see it, or what is wrong with it."""
    if not (request.user.is_staff and request.user.has_perm("procedures.change_procedureversion")):
        raise PermissionDenied
    errors, form = [], None
    try:
        schema = json.loads(request.POST.get("form_schema") or "[]")
        validate_form_schema(schema)
    except json.JSONDecodeError:
        errors = [_("The application form is not valid JSON (a missing comma, quote or bracket?).")]
    except ValidationError as error:
        errors = error.messages
    else:
        form = mark_for_people(application_form_class(schema)(prefix="f"))
    return render(
        request,
        "dossiers/form_preview.html",
        {"form": form, "errors": errors, "name": request.POST.get("name", "")[:500]},
        status=200 if form else 400,
    )
