"""Consent to the versioned privacy notice: required to register, asked at the first sign-in and
again after every new version; each acceptance recorded with its version."""

import pytest

from portal.models import ConsentRecord, PrivacyNotice, User
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice():
    return PrivacyNotice.objects.create(version=1, text="Thông báo xử lý dữ liệu cá nhân v1", text_en="Notice v1")


def test_a_citizen_is_asked_until_they_accept_and_the_acceptance_is_recorded(client, office, notice):
    citizen = office["citizen"]
    client.force_login(citizen)
    response = client.get("/ho-so/?status=received&page=2")
    assert response.status_code == 302
    assert response["Location"] == "/dieu-khoan/dong-y/?next=%2Fho-so%2F%3Fstatus%3Dreceived%26page%3D2"
    page = client.get("/dieu-khoan/dong-y/?next=/ho-so/")
    assert page.status_code == 200 and "Thông báo xử lý dữ liệu cá nhân v1" in page.content.decode()
    # Not ticked: nothing recorded, still asked.
    assert client.post("/dieu-khoan/dong-y/", {"next": "/ho-so/"}).status_code == 400
    assert not ConsentRecord.objects.exists()
    accepted = client.post("/dieu-khoan/dong-y/", {"accept": "yes", "next": "/ho-so/"}, REMOTE_ADDR="203.0.113.9")
    assert accepted.status_code == 302 and accepted["Location"] == "/ho-so/"
    (record,) = ConsentRecord.objects.all()
    assert (record.user, record.version, record.channel, record.ip) == (citizen, 1, "signin", "203.0.113.9")
    assert client.get("/ho-so/").status_code == 200


def test_a_new_version_is_asked_again(client, office, notice):
    citizen = office["citizen"]
    ConsentRecord.objects.create(user=citizen, notice=notice, version=1, channel="registration")
    client.force_login(citizen)
    assert client.get("/ho-so/").status_code == 200
    PrivacyNotice.objects.create(version=2, text="Phiên bản 2")
    response = client.get("/ho-so/")
    assert response.status_code == 302 and response["Location"].startswith("/dieu-khoan/dong-y/")
    assert "Phiên bản 2" in client.get(response["Location"]).content.decode()
    client.post("/dieu-khoan/dong-y/", {"accept": "yes"})
    assert list(ConsentRecord.objects.filter(user=citizen).values_list("version", flat=True)) == [2, 1]
    assert client.get("/ho-so/").status_code == 200


def test_an_e_identity_sign_in_records_the_eid_channel(client, office, notice):
    citizen = office["citizen"]
    client.force_login(citizen, backend="portal.oidc.EIdentityBackend")
    client.post("/dieu-khoan/dong-y/", {"accept": "yes"})
    assert ConsentRecord.objects.get(user=citizen).channel == "eid"


def test_staff_the_notice_itself_sign_out_and_the_api_are_not_held_back(client, office, notice):
    staff_login(client, office["desk"])
    assert client.get("/can-bo/ho-so/").status_code == 200
    client.logout()
    client.force_login(office["citizen"])
    assert client.get("/dieu-khoan/").status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 200
    assert client.post("/tai-khoan/logout/").status_code == 302


def test_an_unsafe_next_is_ignored(client, office, notice):
    client.force_login(office["citizen"])
    response = client.post("/dieu-khoan/dong-y/", {"accept": "yes", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_registration_requires_accepting_the_current_notice(client, notice):
    data = {
        "full_name": "Người Mới",
        "email": "moi@example.vn",
        "phone": "",
        "personal_id": "",
        "password1": "Mat-khau-dai-9x",
        "password2": "Mat-khau-dai-9x",
    }
    refused = client.post("/tai-khoan/dang-ky/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "Tick the box to accept the privacy notice." in refused.content.decode()
    assert not User.objects.filter(email="moi@example.vn").exists()
    client.post("/tai-khoan/dang-ky/", {**data, "accept_notice": "on"})
    user = User.objects.get(email="moi@example.vn")
    (record,) = ConsentRecord.objects.filter(user=user)
    assert (record.version, record.channel) == (1, "registration")


def test_the_my_data_page_runs_a_bounded_number_of_queries(client, office, submitted, django_assert_max_num_queries):
    from dossiers.models import DossierAccess

    for what in ("page", "attachment", "document", "api"):
        DossierAccess.objects.create(
            dossier=submitted, staff=office["desk"], role="receptionist", agency=office["agency"], what=what
        )
    client.force_login(office["citizen"])
    # Measured 15 (cold cache): the session, the user, the memberships, nine counts of what is held,
    # the log's COUNT and one query for its page (officer, agency, dossier, file joined); none per row.
    with django_assert_max_num_queries(15):
        response = client.get("/ca-nhan/du-lieu/")
    assert response.status_code == 200 and len(response.context["entries"]) == 4


def test_the_my_data_page_reads_in_vietnamese(client, office):
    from tests.i18n_pending import pending_vietnamese

    client.force_login(office["citizen"])
    with pending_vietnamese("privacy"):
        html = client.get("/ca-nhan/du-lieu/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Dữ liệu của tôi" in html and "Ai đã xem hồ sơ của tôi" in html and "0 hồ sơ" in html
