"""What the citizen reads on their own dossier page: what they declared, in plain words."""

import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dossiers import services
from tests.dossiers.factories import DossierFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


def detail(client, dossier, language="vi"):
    client.force_login(dossier.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("dossiers:detail", kwargs={"code": dossier.code}))


def test_the_citizen_sees_the_form_they_declared_read_only(client, submitted):
    page = detail(client, submitted).content.decode()

    answers = page[page.index('id="answers"') :]
    answers = answers[: answers.index("</section>")]
    # Labels from the procedure's form schema, values as declared (the date in Vietnamese order).
    for text in ("Họ tên trẻ", "Nguyễn Văn Bé", "Ngày sinh", "01/11/2026", "Số bản sao", "2"):
        assert text in answers
    assert "<input" not in answers and "<textarea" not in answers


def test_in_english_a_label_without_translation_is_marked_vietnamese(client, submitted):
    page = detail(client, submitted, "en").content.decode()

    assert '<dt lang="vi">Họ tên trẻ</dt>' in page


def test_the_citizen_page_shows_no_national_portal_status_number(client, submitted):
    page = detail(client, submitted, "en").content.decode()

    assert "national portal" not in page.lower()


def test_the_desk_names_the_national_portal_status(client, submitted, office):
    staff_login(client, office["desk"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("dossiers:desk", kwargs={"code": submitted.code})).content.decode()

    assert "<dd>Newly submitted (1)</dd>" in page


def test_the_language_button_is_composed_unicode(client):
    page = client.get("/").content.decode()

    assert unicodedata.normalize("NFC", "Tiếng Việt") in page
    assert page == unicodedata.normalize("NFC", page)


def test_the_specialist_list_starts_with_a_proper_empty_choice(client, office):
    from dossiers.transitions import AssignForm

    dossier = DossierFactory(state="received", applicant=office["citizen"], version=office["version"], people=office)
    with translation.override("en"):
        first = str(AssignForm(dossier=dossier)["specialist"]).split("<option", 2)[1]
    assert "Choose a specialist" in first and "---" not in first


SCORES = {"time_to_result": 2, "contacts": 1, "published_information": 2, "staff_attitude": 0, "online_service": 2}


def test_the_contacts_question_is_answered_in_contacts_and_the_rating_given_is_shown(client, office):
    dossier = DossierFactory(state="returned", applicant=office["citizen"], version=office["version"], people=office)
    client.force_login(dossier.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(reverse("dossiers:rate", kwargs={"code": dossier.code})).content.decode()
    contacts = form[form.index('name="contacts"') - 400 : form.index("</fieldset>", form.index('name="contacts"'))]
    assert "Twice" in contacts and "Satisfied" not in contacts

    services.dossier_rate(dossier=dossier, actor=dossier.applicant, scores=SCORES, comment="Nhanh gọn")
    page = detail(client, dossier, "en").content.decode()
    given = page[page.index('id="rating-given"') :]
    given = given[: given.index("</dl>")]
    assert "Number of contacts needed</dt><dd>Twice</dd>" in given
    assert "Staff attitude</dt><dd>Not satisfied</dd>" in given
    assert "Nhanh gọn" in given
