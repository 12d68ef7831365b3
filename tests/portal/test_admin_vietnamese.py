"""The admin in Vietnamese (the default language): Django's own strings its Vietnamese catalogue
lacks, third-party apps (django_celery_beat, axes, django_otp) and unnamed models; the portal's
title and icon. Vietnamese still pending in i18n/admin.tsv is read through tests/i18n_pending."""

import re
from html import unescape

import pytest

from tests.dossiers.factories import StaffFactory
from tests.i18n_pending import pending_vietnamese
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Please correct",
    "Enter a valid JSON",
    "Periodic tasks",
    "Periodic Tasks",
    "Django",
    "Model name",
    "Toggle theme",
    "Show counts",
    "Supplement requests",
    "Receipts",
    "Static devices",
    "TOTP devices",
    "Access attempts",
    "Otp_",
    "Axes",
    "Procedure:",
]
ENGLISH_WORDS = re.compile(r"\b(Add|Save|Change|Delete|Search|Filter)\b")


def visible_text(html: str) -> str:
    """What a reader sees or hears: text, titles, labels (no scripts, styles or markup)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|value)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + attributes)


@pytest.fixture
def admin_client(client):
    staff_login(client, StaffFactory(is_staff=True, is_superuser=True))
    return client


def english_in(response) -> list[str]:
    text = visible_text(response.content.decode())
    return [phrase for phrase in ENGLISH if phrase in text] + ENGLISH_WORDS.findall(text)


def test_the_admin_index_a_changelist_and_a_form_with_errors_have_no_english(admin_client):
    with pending_vietnamese("admin"):
        index = admin_client.get("/admin/")
        changelist = admin_client.get("/admin/django_celery_beat/periodictask/")
        management = {f"{p}-{k}": "0" for p in ("documents", "fees", "steps") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}
        refused = admin_client.post("/admin/procedures/procedureversion/add/", {"form_schema": "{bad", **management})
    assert (index.status_code, changelist.status_code, refused.status_code) == (200, 200, 200)
    assert refused.context["adminform"].form.errors["form_schema"]  # the form was refused
    assert english_in(index) == []
    assert english_in(changelist) == []
    assert english_in(refused) == []


def test_third_party_apps_and_unnamed_models_have_translatable_names():
    from django.apps import apps

    from tests.i18n_pending import pending_vietnamese

    with pending_vietnamese("admin"):
        names = {
            str(apps.get_app_config(label).verbose_name)
            for label in ("django_celery_beat", "axes", "otp_totp", "otp_static", "indicators")
        }
        models = {
            str(apps.get_model(label)._meta.verbose_name_plural)
            for label in (
                "dossiers.SupplementRequest",
                "payments.Receipt",
                "otp_totp.TOTPDevice",
                "otp_static.StaticDevice",
            )
        }
    assert names == {
        "Tác vụ định kỳ",
        "Lượt đăng nhập",
        "Xác thực hai bước: ứng dụng xác thực",
        "Xác thực hai bước: mã dự phòng",
        "Chỉ số",
    }
    assert models == {"yêu cầu bổ sung hồ sơ", "biên lai điện tử", "ứng dụng xác thực", "bộ mã dự phòng"}


def test_the_admin_has_the_portals_title_and_icon(admin_client):
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get("/admin/").content.decode()
    assert "<title>Portal administration | Một Cửa administration</title>" in page
    assert 'id="site-name"><a href="/admin/">Một Cửa administration</a>' in page
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert 'href="/static/img/favicon.ico"' in page
    assert "Django" not in page.split("<body")[1]


def test_the_public_pages_link_the_icon_and_favicon_ico_is_served(client):
    page = client.get("/").content.decode()
    assert 'href="/static/img/favicon.svg"' in page and 'href="/static/img/favicon.ico"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.ico"
    assert client.get(response["Location"]).status_code == 200
