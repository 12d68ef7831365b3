"""A person makes their own API tokens: shown once, kept as a fingerprint, usable at once by the
API, revocable (401 from the next call); another person's token cannot be revoked."""

import re

import pytest

from portal.models import ApiClient, ApiToken
from tests.dossiers.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_create_use_and_revoke_a_personal_token(client, django_assert_max_num_queries):
    citizen = CitizenFactory()
    client.force_login(citizen)
    made = client.post("/tai-khoan/api/", {"name": "Ứng dụng của tôi"})
    assert made.status_code == 201
    raw = re.search(r'id="new-token"[^>]*value="([^"]+)"', made.content.decode()).group(1)
    assert raw.startswith("mc_")
    token = ApiToken.objects.get()
    assert token.token_hash == ApiToken.hash(raw) and raw not in token.token_hash
    # The list does not show the token again, and costs the same queries with more tokens.
    listed = client.get("/tai-khoan/api/").content.decode()
    assert raw not in listed and "Ứng dụng của tôi" in listed
    for n in range(3):
        client.post("/tai-khoan/api/", {"name": f"app {n}"})
    with django_assert_max_num_queries(12):
        client.get("/tai-khoan/api/")

    api = client.__class__()
    assert api.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post("/tai-khoan/api/", {"revoke": ApiClient.objects.get(name="Ứng dụng của tôi").pk})
    assert api.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_bad_input_changes_nothing(client):
    citizen, other = CitizenFactory(), CitizenFactory()
    theirs = ApiClient.objects.create(name="theirs", user=other)
    client.force_login(citizen)
    assert client.post("/tai-khoan/api/", {"name": "   "}).status_code == 200
    assert client.post("/tai-khoan/api/", {"revoke": theirs.pk}, follow=True).status_code == 200
    assert client.post("/tai-khoan/api/", {"revoke": "x"}, follow=True).status_code == 200
    theirs.refresh_from_db()
    assert theirs.is_active and ApiClient.objects.filter(user=citizen).count() == 0
    for n in range(5):
        client.post("/tai-khoan/api/", {"name": f"app {n}"})
    assert client.post("/tai-khoan/api/", {"name": "one too many"}).status_code == 200
    assert ApiClient.objects.filter(user=citizen).count() == 5


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/tai-khoan/api/").status_code == 302
