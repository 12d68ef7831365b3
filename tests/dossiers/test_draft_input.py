"""The draft form refuses what it cannot keep instead of changing it silently, and says which
fields are required."""

import pytest
from django.conf import settings

from dossiers.models import Dossier
from procedures.models import FeeRule
from procedures.services import procedure_version_publish
from tests.procedures.factories import AgencyFactory, VersionFactory

from .factories import FORM_SCHEMA, CitizenFactory, birth_procedure
from .test_wizard import post_data, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client):
    user = CitizenFactory()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_a_birth_date_in_the_future_is_refused(client, citizen):
    version = birth_procedure()
    url = start(client, version)

    response = client.post(url, post_data(version, **{"f-child_dob": "2030-01-01"}))

    assert response.status_code == 200
    assert "A date of birth cannot be in the future." in response.content.decode()
    assert Dossier.objects.get().code is None  # still a draft: the review refused it


def test_a_long_paste_is_refused_with_a_message_not_cut(client, citizen):
    version = birth_procedure()
    url = start(client, version)
    before = Dossier.objects.get().applicant_address
    long_address = "Số 5, " + "x" * 7600

    response = client.post(url, post_data(version, **{"a-applicant_address": long_address, "action": "save"}))

    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 255 characters" in page
    assert long_address in page  # what was typed is shown back, to shorten
    assert 'maxlength="255"' not in page  # the browser no longer cuts a paste silently
    assert Dossier.objects.get().applicant_address == before  # nothing saved


def test_a_fee_quantity_out_of_range_is_refused_not_clamped(client, citizen):
    version = VersionFactory(agency=AgencyFactory(code="000.20.00.H99"), form_schema=FORM_SCHEMA)
    fee = FeeRule.objects.create(version=version, name="Phí sao lục", unit="copy", amount=3000)
    version = procedure_version_publish(version=version)
    url = start(client, version)

    response = client.post(url, post_data(version, **{f"qty-{fee.pk}": "5000", "action": "save"}))

    assert response.status_code == 400
    page = response.content.decode()
    assert "“Phí sao lục”: give a whole number from 1 to 1000." in page
    assert f'name="qty-{fee.pk}" min="1" max="1000" value="5000"' in page
    assert Dossier.objects.get().fee_quantities == {}


def test_required_fields_are_marked_for_eyes_and_screen_readers(client, citizen):
    version = birth_procedure()
    page = client.get(start(client, version)).content.decode()

    assert 'name="f-child_name"' in page
    child = page[page.index('for="id_f-child_name"') :].split("</label>", 1)[0]
    assert 'class="field__required" aria-hidden="true"> *' in child
    copies = page[page.index('for="id_f-copies"') :].split("</label>", 1)[0]
    assert "field__required" not in copies
    widget = page[page.index('name="f-child_name"') :].split(">", 1)[0]
    assert 'aria-required="true"' in widget
