"""Finding 5: account pre-hijacking through the e-identity, and sign-up as an oracle of who is
registered. Runs the stand-in provider of test_oidc.py (the same loopback port, one module at a time)."""

import pytest
from django.core import mail

from portal.models import Notification, User
from tests.portal.test_oidc import provider, sign_in  # noqa: F401 - the provider fixture

pytestmark = pytest.mark.django_db
VICTIM_ID = "079203004567"
ATTACKER_PASSWORD = "Ke-gian-biet-mat-khau-2026"
OWNER_PASSWORD = "Khong-doan-duoc-2026"
CLAIMS = {"sub": "vneid-1", "personal_id": VICTIM_ID, "name": "Võ Thị Sáu", "email": "sau@example.vn"}


def current_user(client):
    return client.get("/").context["user"]


def test_an_unverified_id_number_does_not_capture_the_owners_eid_sign_in(client, provider):  # noqa: F811
    # The attacker registered first with the victim's ID number and a password they know.
    attacker = User.objects.create_user(
        email="ke-gian@example.vn", password=ATTACKER_PASSWORD, full_name="Kẻ gian", personal_id=VICTIM_ID
    )
    response = sign_in(client, provider, CLAIMS)
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/dinh-danh/lien-ket/"
    assert current_user(client) != attacker

    # The owner does not know that account: they take one of their own.
    assert client.post("/tai-khoan/dinh-danh/lien-ket/", {"new": "1"}).status_code == 302
    owner = current_user(client)
    assert owner != attacker and (owner.personal_id, owner.personal_id_verified) == (VICTIM_ID, True)
    attacker.refresh_from_db()
    assert attacker.personal_id is None and not attacker.personal_id_verified
    told = Notification.objects.get(recipient=attacker, event="personal_id_withdrawn", channel="inbox")
    assert VICTIM_ID in told.body

    # From now on the e-identity signs the owner straight in, to the same account.
    client.logout()
    sign_in(client, provider, CLAIMS)
    assert current_user(client) == owner


def test_an_account_with_the_same_email_is_not_signed_into_without_its_password(client, provider):  # noqa: F811
    squatter = User.objects.create_user(email="sau@example.vn", password=ATTACKER_PASSWORD, full_name="Kẻ gian")
    response = sign_in(client, provider, CLAIMS)
    assert response["Location"] == "/tai-khoan/dinh-danh/lien-ket/"
    assert not current_user(client).is_authenticated
    client.post("/tai-khoan/dinh-danh/lien-ket/", {"new": "1"})
    owner = current_user(client)
    assert owner != squatter and owner.personal_id_verified and owner.email is None  # the address is not theirs yet


def test_the_owner_links_their_existing_account_by_signing_in_to_it(client, provider):  # noqa: F811
    mine = User.objects.create_user(
        email="sau@example.vn", password=OWNER_PASSWORD, full_name="Vo Thi Sau", personal_id=VICTIM_ID
    )
    sign_in(client, provider, CLAIMS)
    page = client.get("/tai-khoan/dinh-danh/lien-ket/")
    assert page.status_code == 200 and "Võ Thị Sáu" in page.content.decode()
    wrong = client.post(
        "/tai-khoan/dinh-danh/lien-ket/", {"link": "1", "username": "sau@example.vn", "password": "doan-bua-2026"}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors and not current_user(client).is_authenticated
    linked = client.post(
        "/tai-khoan/dinh-danh/lien-ket/", {"link": "1", "username": "sau@example.vn", "password": OWNER_PASSWORD}
    )
    assert linked.status_code == 302 and current_user(client) == mine
    mine.refresh_from_db()
    assert (mine.personal_id_verified, mine.full_name, User.objects.count()) == (True, "Võ Thị Sáu", 1)


def test_the_linking_page_without_an_e_identity_sign_in_goes_back_to_the_login_page(client):
    response = client.get("/tai-khoan/dinh-danh/lien-ket/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert client.post("/tai-khoan/dinh-danh/lien-ket/", {"new": "1"}).status_code == 302
    assert not User.objects.exists()


def register(client, **fields):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "email": "",
        "phone": "",
        "personal_id": "",
        "password1": OWNER_PASSWORD,
        "password2": OWNER_PASSWORD,
        **fields,
    }
    return client.post("/tai-khoan/dang-ky/", data)


def _shown(response) -> str:
    """The page without the per-request CSRF token."""
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_registration_answers_the_same_whether_or_not_the_email_has_an_account(
    client, django_capture_on_commit_callbacks
):
    owner = User.objects.create_user(email="hoa@example.vn", password=OWNER_PASSWORD, full_name="Hoa")
    with django_capture_on_commit_callbacks(execute=True):
        taken = register(client, email="HOA@example.vn")
        fresh = register(client, email="moi@example.vn")
    assert taken.status_code == fresh.status_code == 200
    assert _shown(taken) == _shown(fresh)
    assert not User.objects.filter(email="hoa@example.vn").exclude(pk=owner.pk).exists()
    # The owner hears of it; the newcomer gets a link.
    to_owner = [m for m in mail.outbox if m.to == ["hoa@example.vn"]]
    assert len(to_owner) == 1 and "/tai-khoan/password_reset/" in to_owner[0].body
    assert any("/tai-khoan/kich-hoat/" in m.body for m in mail.outbox if m.to == ["moi@example.vn"])


def test_registration_does_not_tell_whether_a_phone_or_id_number_has_an_account(client):
    User.objects.create_user(
        phone="0912345678", password=OWNER_PASSWORD, full_name="Hoa", personal_id=VICTIM_ID, personal_id_verified=True
    )
    taken_phone = register(client, phone="0912 345 678")
    fresh_phone = register(client, phone="0987654321")
    assert _shown(taken_phone) == _shown(fresh_phone)
    taken_id = register(client, email="a@example.vn", personal_id=VICTIM_ID)
    fresh_id = register(client, email="b@example.vn", personal_id="001203004567")
    assert taken_id.status_code == fresh_id.status_code == 200 and _shown(taken_id) == _shown(fresh_id)
    claimant = User.objects.get(email="a@example.vn")
    assert claimant.personal_id == VICTIM_ID and not claimant.personal_id_verified  # a claim, not proof


def test_password_reset_answers_the_same_whether_or_not_the_email_has_an_account(client):
    User.objects.create_user(email="hoa@example.vn", password=OWNER_PASSWORD, full_name="Hoa")
    known = client.post("/tai-khoan/password_reset/", {"email": "hoa@example.vn"}, follow=True)
    unknown = client.post("/tai-khoan/password_reset/", {"email": "ai-do@example.vn"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain and _shown(known) == _shown(unknown)
    assert [m.to for m in mail.outbox] == [["hoa@example.vn"]]


def test_an_unfinished_sign_up_with_my_email_does_not_block_me(client, django_capture_on_commit_callbacks):
    # Someone else started a sign-up with my address (and their phone) and never opened the link.
    register(
        client, email="hoa@example.vn", phone="0987654321", password1="Ke-gian-2026-abc", password2="Ke-gian-2026-abc"
    )
    with django_capture_on_commit_callbacks(execute=True):
        register(client, email="hoa@example.vn")
    user = User.objects.get()
    assert user.phone is None and user.check_password(OWNER_PASSWORD)  # their details are gone
    link = next(w for m in mail.outbox for w in m.body.split() if "/tai-khoan/kich-hoat/" in w)
    assert client.get(link.split("8000", 1)[-1]).status_code == 302 and current_user(client) == user


def test_an_account_linked_to_another_e_identity_is_not_relinked(client, provider):  # noqa: F811
    User.objects.create_user(
        email="sau@example.vn",
        password=OWNER_PASSWORD,
        full_name="Người khác",
        personal_id="001203004567",
        personal_id_verified=True,
    )
    sign_in(client, provider, CLAIMS)
    response = client.post(
        "/tai-khoan/dinh-danh/lien-ket/", {"link": "1", "username": "sau@example.vn", "password": OWNER_PASSWORD}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not current_user(client).is_authenticated
    assert not User.objects.filter(personal_id=VICTIM_ID).exists()


def test_a_deactivated_verified_account_is_not_replaced_by_a_fresh_one(client, provider):  # noqa: F811
    User.objects.create_user(
        email="sau@example.vn",
        password=OWNER_PASSWORD,
        full_name="Võ Thị Sáu",
        personal_id=VICTIM_ID,
        personal_id_verified=True,
        is_active=False,
    )
    response = sign_in(client, provider, CLAIMS)
    assert response["Location"].startswith("/tai-khoan/dang-nhap/") and User.objects.count() == 1
    assert not current_user(client).is_authenticated
