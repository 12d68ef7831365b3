"""Before submitting, the citizen sees when the result is expected (an estimate from the calendar)."""

from datetime import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procedures.calendar import due_date, expected_result_at
from tests.dossiers.factories import filled_draft

pytestmark = pytest.mark.django_db


def _at(*args):
    return timezone.make_aware(datetime(*args), timezone.get_default_timezone())


def test_the_estimate_is_the_legal_due_date_as_if_received_now():
    friday_morning, friday_evening = _at(2026, 11, 20, 10), _at(2026, 11, 20, 16)

    assert expected_result_at(3, now=friday_morning) == due_date(friday_morning, 3).due_at
    # After the reception cut-off the count starts on the next working day.
    assert expected_result_at(3, now=friday_morning) < expected_result_at(3, now=friday_evening)


def test_a_same_day_procedure_is_expected_the_same_day():
    assert expected_result_at(0, now=_at(2026, 11, 20, 10)) == _at(2026, 11, 20, 17)


def _page(client, user, url, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


def test_the_review_page_shows_the_expected_result_date(client, office):
    draft = filled_draft(office["citizen"], office["version"])
    expected = expected_result_at(office["version"].processing_days)

    page = _page(client, office["citizen"], reverse("dossiers:review", kwargs={"public_id": draft.public_id}))

    assert f'data-expected-date="{timezone.localtime(expected):%Y-%m-%d}"' in page
    assert f"Expected result: {timezone.localtime(expected).day} " in page
    assert "starts when the desk receives it" in page


def test_the_draft_page_shows_it_in_vietnamese_long_form(client, office):
    draft = filled_draft(office["citizen"], office["version"])
    expected = timezone.localtime(expected_result_at(office["version"].processing_days))

    page = _page(client, office["citizen"], reverse("dossiers:draft", kwargs={"public_id": draft.public_id}), "vi")

    assert 'id="expected-result"' in page
    assert f"ngày {expected.day:02d} tháng" in page


def test_the_procedure_page_shows_it_next_to_the_submit_button(client, office):
    expected = timezone.localtime(expected_result_at(office["version"].processing_days))

    page = _page(
        client, office["citizen"], reverse("procedures:detail", kwargs={"code": office["version"].procedure.code})
    )

    assert f'data-expected-date="{expected:%Y-%m-%d}"' in page
