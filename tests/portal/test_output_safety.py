"""Stored HTML never runs: catalogue help and result templates are cleaned to an allow-list."""

import pytest
from django.template.loader import render_to_string

from tests.dossiers.factories import FORM_SCHEMA, CitizenFactory, birth_procedure

pytestmark = pytest.mark.django_db

EVIL = ('<b>Ghi rõ</b> theo <a href="https://example.vn/huong-dan" onclick="steal()">hướng dẫn</a>'
        '<script>alert(document.cookie)</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">x</a><span style="position:fixed">y</span>')


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
