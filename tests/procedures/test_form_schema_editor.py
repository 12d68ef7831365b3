"""The admin's application-form editor: per-field messages from the validator, the JSON box's
own message, the editor and documentation on the version's page, the citizen-form preview, and
'Open a draft' leading to the draft."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.admin import ProcedureVersionForm
from procedures.constants import VersionStatus
from procedures.form_schema import validate_form_schema
from procedures.models import ProcedureVersion
from tests.dossiers.factories import CitizenFactory, StaffFactory
from tests.portal.csp_scan import csp_problems
from tests.second_factor import staff_login

from .factories import VersionFactory

pytestmark = pytest.mark.django_db


def messages_for(schema) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validate_form_schema(schema)
    return error.value.messages


def test_each_problem_names_its_field_in_the_clerks_words(english):
    problems = messages_for(
        [
            {"name": "full_name", "label": "Họ và tên", "type": "text"},
            {"name": "full_name", "label": "Họ tên khác", "type": "txt"},
            {"name": "purpose", "label": "Mục đích", "type": "choice"},
            {"name": "kind", "label": "Loại", "type": "choice", "choices": ["A", "B", "A"]},
            {"name": "note", "label": "Ghi chú"},
        ]
    )
    assert problems == [
        "Field 2 (full_name): the name “full_name” is already used by field 1.",
        "Field 2 (full_name): unknown type “txt”; use one of text (Text), textarea (Long text), "
        "integer (Whole number), date (Date), choice (Choice), email (Email), phone (Phone number), "
        "boolean (Yes / no).",
        "Field 3 (purpose): a choice field needs its choices: at least one, none empty.",
        "Field 4 (kind): the choice “A” is listed twice.",
        "Field 5 (note): a type is required; use one of text (Text), textarea (Long text), "
        "integer (Whole number), date (Date), choice (Choice), email (Email), phone (Phone number), "
        "boolean (Yes / no).",
    ]


def test_broken_json_in_the_admin_says_so_and_nothing_else(english):
    form = ProcedureVersionForm(data={"form_schema": '[{"name": "a",}'})
    assert form.errors["form_schema"] == [
        "The application form is not valid JSON (a missing comma, quote or bracket?): correct it, or use the rows editor."
    ]


@pytest.fixture
def admin_client(client):
    staff_login(client, StaffFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def test_the_versions_page_has_the_editor_its_documentation_and_the_preview(admin_client, english):
    schema = [{"name": "dob", "label": "Ngày sinh", "type": "date", "required": True}]
    version = VersionFactory(form_schema=schema)
    page = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk])).content.decode()
    assert "data-form-schema-editor" in page
    assert '<script src="/static/js/form_schema_editor.js"></script>' in page
    assert 'href="/static/css/form_schema_editor.css"' in page
    assert 'name="form_schema"' in page and "&quot;name&quot;: &quot;dob&quot;" in page  # the JSON box, indented
    assert "How the application form is written" in page and "<code>choice</code>" in page
    assert f'formaction="{reverse("dossiers:form_preview")}"' in page
    # Enter in a field submits the form's first button: Save, not the preview.
    assert page.index('name="_save"') < page.index("data-form-schema-preview")
    assert csp_problems(page) == []


def test_the_preview_renders_the_citizen_form_with_the_draft_forms_generator(admin_client, english):
    schema = [
        {"name": "child_name", "label": "Họ tên trẻ", "type": "text", "required": True},
        {"name": "purpose", "label": "Mục đích", "type": "choice", "choices": ["Đi học", "Khác"], "help": "Chọn một"},
    ]
    response = admin_client.post(
        reverse("dossiers:form_preview"), {"form_schema": json.dumps(schema), "name": "Cấp bản sao"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="f-child_name"' in page and 'aria-required="true"' in page
    assert '<option value="Đi học">Đi học</option>' in page and "Chọn một" in page
    assert "Cấp bản sao" in page and "nothing here is saved" in page
    assert ProcedureVersion.objects.count() == 0  # nothing saved
    assert csp_problems(page) == []


def test_a_preview_of_a_broken_form_says_what_is_wrong(admin_client, english):
    response = admin_client.post(reverse("dossiers:form_preview"), {"form_schema": '[{"name": "x", "type": "date"}]'})
    assert response.status_code == 400
    assert "Field 1 (x): a label is required." in response.content.decode()
    broken = admin_client.post(reverse("dossiers:form_preview"), {"form_schema": "[{"})
    assert broken.status_code == 400 and "not valid JSON" in broken.content.decode()


def test_only_staff_who_edit_procedures_see_a_preview(client):
    client.force_login(CitizenFactory())
    assert client.post(reverse("dossiers:form_preview"), {"form_schema": "[]"}).status_code == 403
    staff_login(client, StaffFactory(is_staff=True))  # staff, without the catalogue's permissions
    assert client.post(reverse("dossiers:form_preview"), {"form_schema": "[]"}).status_code == 403
    assert client.get(reverse("dossiers:form_preview")).status_code == 405


def test_open_a_draft_for_one_procedure_opens_the_draft(admin_client, english):
    version = VersionFactory(published=True)
    response = admin_client.post(
        reverse("admin:procedures_procedure_changelist"),
        {"action": "open_drafts", "_selected_action": [version.procedure.pk]},
    )
    draft = ProcedureVersion.objects.get(procedure=version.procedure, status=VersionStatus.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:procedures_procedureversion_change", args=[draft.pk])


def test_open_drafts_for_several_procedures_links_each_draft(admin_client, english):
    versions = [VersionFactory(published=True), VersionFactory(published=True)]
    response = admin_client.post(
        reverse("admin:procedures_procedure_changelist"),
        {"action": "open_drafts", "_selected_action": [v.procedure.pk for v in versions]},
        follow=True,
    )
    page = response.content.decode()
    for version in versions:
        draft = ProcedureVersion.objects.get(procedure=version.procedure, status=VersionStatus.DRAFT)
        url = reverse("admin:procedures_procedureversion_change", args=[draft.pk])
        assert f'draft <a href="{url}">v2</a> is ready to edit.' in page
