"""Personal ID and phone numbers: the last digits only, except for the officers whose work needs
them whole (the receiving desk, the assigned specialist) and the applicant."""

import csv
import io

import pytest

from dossiers.constants import DossierStatus
from portal.masking import mask_id, mask_phone
from tests.dossiers.factories import DossierFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


def test_the_helpers_keep_the_last_digits():
    assert mask_id("079201001234") == "••••••••1234"
    assert mask_phone("0912345678") == "•••••••678"
    assert mask_id("") == "" and mask_phone(None) == ""


@pytest.fixture
def dossier(office):
    citizen = office["citizen"]
    citizen.personal_id, citizen.phone = "079201001234", "0912345678"
    citizen.save()
    return DossierFactory(
        applicant=citizen, version=office["version"], state=DossierStatus.AWAITING_APPROVAL, people=office
    )


def test_the_leader_sees_the_last_digits_and_the_desk_the_whole_number(client, office, dossier):
    assert dossier.applicant_id_number == "079201001234"
    staff_login(client, office["leader"])
    leader_page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "079201001234" not in leader_page and "••••••••1234" in leader_page
    assert "0912345678" not in leader_page and "•••••••678" in leader_page
    api = client.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert api["applicant_id_number"] == "••••••••1234" and api["applicant_phone"] == "•••••••678"

    client.logout()
    staff_login(client, office["desk"])
    desk_page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "079201001234" in desk_page and 'href="tel:0912345678"' in desk_page
    client.logout()
    staff_login(client, office["specialist"])  # assigned to it
    assert "079201001234" in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()

    client.logout()
    client.force_login(office["citizen"])
    assert client.get(f"/api/v1/dossiers/{dossier.code}/").json()["applicant_id_number"] == "079201001234"


def test_the_yearly_register_export_masks_the_phone(client, office, dossier):
    staff_login(client, office["desk"])
    year = dossier.received_at.year
    response = client.get("/can-bo/so-theo-doi/", {"format": "csv", "year": year})
    assert response.status_code == 200, response.content[:200]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][4] == "Số điện thoại"
    assert rows[1][1] == dossier.code and rows[1][4] == "•••••••678"
    assert "0912345678" not in response.content.decode("utf-8-sig")
