"""What the citizen reads on their own dossier page: what they declared, in plain words."""

import pytest
from django.conf import settings
from django.urls import reverse

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
