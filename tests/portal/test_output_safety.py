"""Stored HTML never runs: catalogue help and result templates are cleaned to an allow-list."""

import pytest
from django.template.loader import render_to_string

from tests.dossiers.factories import FORM_SCHEMA, CitizenFactory, birth_procedure

pytestmark = pytest.mark.django_db

EVIL = (
    '<b>Ghi rõ</b> theo <a href="https://example.vn/huong-dan" onclick="steal()">hướng dẫn</a>'
    '<script>alert(document.cookie)</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">x</a><span style="position:fixed">y</span>'
)


def test_stored_xss_in_catalogue_help_text_is_not_rendered(client):
    version = birth_procedure()
    # As an import or an admin's draft would have stored it (published versions are immutable).
    type(version).objects.filter(pk=version.pk).update(form_schema=[{**FORM_SCHEMA[0], "help": EVIL}, *FORM_SCHEMA[1:]])
    client.force_login(CitizenFactory())
    wizard = client.get(client.get(f"/thu-tuc/{version.procedure.code}/nop/")["Location"])
    html = wizard.content.decode()
    assert wizard.status_code == 200
    assert "<b>Ghi rõ</b>" in html and 'href="https://example.vn/huong-dan"' in html  # the rich text stays
    for bad in ("alert(document.cookie)", "onclick=", "onerror=", "javascript:", "position:fixed", "<img"):
        assert bad not in html


def test_stored_xss_in_result_custom_body_is_cleaned():
    html = render_to_string("dossiers/forms/result.html", {"custom_body": "<h2>Quyết định</h2>" + EVIL, "qr": ""})
    assert "<h2>Quyết định</h2>" in html and "<b>Ghi rõ</b>" in html
    for bad in ("<script>", "onclick=", "onerror=", "javascript:", "position:fixed"):
        assert bad not in html


def _with_result_template(version, text):
    type(version).objects.filter(pk=version.pk).update(result_template=text)  # as stored before the rule
    version.refresh_from_db()
    return version


def test_result_template_cannot_read_the_applicants_password_hash():
    from dossiers import services
    from dossiers.documents import result_body
    from tests.dossiers.factories import filled_draft

    citizen = CitizenFactory()
    version = _with_result_template(
        birth_procedure(),
        "<p>{{ dossier.code }}: {{ form.child_name }}</p>"
        "{{ dossier.applicant.password }}{{ dossier.procedure_version.agency.pk }}",
    )
    dossier = services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    body = result_body(dossier)
    assert f"<p>{dossier.code}: Nguyễn Văn Bé</p>" in body
    assert citizen.password not in body and "md5$" not in body and "pbkdf2" not in body


def test_result_template_with_debug_or_load_is_refused_and_a_stored_one_falls_back():
    from django.core.exceptions import ValidationError

    from dossiers import services
    from dossiers.documents import result_body
    from procedures.services import procedure_draft_create
    from tests.dossiers.factories import filled_draft

    version = birth_procedure()
    draft = procedure_draft_create(procedure=version.procedure)
    for text in ("{% debug %}", "{% load static %}", "{{ dossier.code|safe }}", "{% include 'base.html' %}"):
        draft.result_template = text
        with pytest.raises(ValidationError):
            draft.clean()
    citizen = CitizenFactory()
    _with_result_template(version, "{% debug %}")
    dossier = services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    assert result_body(dossier) == ""  # the standard result template is used
