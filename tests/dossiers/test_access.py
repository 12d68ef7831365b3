"""Who may see what: citizens see only their own; anyone may look up a status without personal data."""

import pytest
from django.core.cache import cache

from dossiers import services
from dossiers.models import Dossier
from tests.second_factor import staff_login

from .factories import CitizenFactory, birth_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_name():
    return "Lê Thị Riêng Tư"


@pytest.fixture
def submitted(office, submitted):
    """The shared submitted dossier (tests/conftest.py), as (owner, dossier)."""
    return office["citizen"], submitted


def test_owner_sees_dossier_and_attachment(client, submitted):
    owner, dossier = submitted
    client.force_login(owner)
    assert client.get(f"/ho-so/{dossier.code}/").status_code == 200
    attachment = dossier.attachments.first()
    response = client.get(f"/ho-so/tep/{attachment.public_id}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_other_citizen_gets_404_for_dossier_attachment_and_draft(client, submitted):
    owner, dossier = submitted
    draft = services.dossier_draft_start(applicant=owner, version=birth_procedure())
    client.force_login(CitizenFactory())
    assert client.get(f"/ho-so/{dossier.code}/").status_code == 404
    assert client.get(f"/ho-so/tep/{dossier.attachments.first().public_id}/").status_code == 404
    assert client.get(f"/ho-so/nhap/{draft.public_id}/").status_code == 404
    assert client.get(f"/ho-so/{dossier.code}/rut/").status_code == 404
    assert client.get("/ho-so/nhap/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, submitted):
    _, dossier = submitted
    response = client.get(f"/ho-so/{dossier.code}/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_staff_of_the_agency_see_it_staff_elsewhere_do_not(client, submitted):
    from portal.models import AgencyMembership
    from tests.procedures.factories import AgencyFactory

    _, dossier = submitted
    officer, stranger = CitizenFactory(), CitizenFactory()
    AgencyMembership.objects.create(user=officer, agency=dossier.receiving_agency, role="receptionist")
    AgencyMembership.objects.create(user=stranger, agency=AgencyFactory(), role="receptionist")
    staff_login(client, officer)
    assert client.get(f"/ho-so/{dossier.code}/").status_code == 200
    staff_login(client, stranger)
    assert client.get(f"/ho-so/{dossier.code}/").status_code == 404


def test_public_lookup_shows_status_without_personal_data(client, submitted):
    owner, dossier = submitted
    cache.clear()
    response = client.get(f"/tc/{dossier.code}")
    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html and dossier.procedure_version.name in html
    for private in (owner.full_name, owner.phone, owner.email, owner.personal_id, "Nguyễn Văn Bé"):
        assert private not in html
    assert client.get("/tra-cuu/", {"code": dossier.code}).status_code == 200


def test_unknown_code_is_plain_not_found(client):
    cache.clear()
    response = client.get("/tc/000.20.00.H99-260101-9999")
    assert response.status_code == 404


def test_lookup_is_rate_limited_per_ip(client, submitted):
    cache.clear()
    statuses = [client.get(f"/tc/000.20.00.H99-260101-{n:04d}").status_code for n in range(25)]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
    # Another address is not affected.
    assert client.get("/tc/x", REMOTE_ADDR="10.0.0.9").status_code == 404


def test_drafts_are_invisible_to_lookup(client):
    cache.clear()
    owner = CitizenFactory()
    services.dossier_draft_start(applicant=owner, version=birth_procedure())
    assert Dossier.objects.get().code is None
    assert client.get("/tc/None").status_code == 404
