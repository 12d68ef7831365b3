"""Finding 6: the client address comes from a configured number of trusted proxies, never from
whatever X-Forwarded-For a client sends."""

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from portal.client import client_address

pytestmark = pytest.mark.django_db


def _request(remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_address(_request(forwarded="198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_the_rightmost_entry_is_the_client_and_spoofed_ones_are_ignored():
    assert client_address(_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    assert client_address(_request(remote="10.0.0.2")) == "10.0.0.2"
    assert client_address(_request(remote="10.0.0.2", forwarded="not-an-address")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_the_second_entry_from_the_right_is_the_client():
    assert client_address(_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.1, 10.0.0.1")) == "198.51.100.1"


def test_spoofed_forwarded_for_does_not_reset_the_anonymous_api_limit(monkeypatch):
    from portal.api.throttling import ClientRateThrottle

    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {**ClientRateThrottle.THROTTLE_RATES, "anon": "3/min"})
    api = APIClient()
    statuses = [api.get("/api/v1/procedures/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(5)]
    assert statuses[:3] == [200] * 3 and statuses[3:] == [429, 429]


def test_spoofed_forwarded_for_does_not_reset_the_lookup_limit(client):
    statuses = [
        client.get(f"/tc/000.20.00.H99-260101-{n:04d}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(22)
    ]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_two_clients_get_separate_lookup_buckets(client):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = [client.get(f"/tc/x{n}", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code for n in range(21)]
    assert first[-1] == 429
    # Another citizen behind the same proxy is not limited; a spoofed left entry does not help the first.
    assert client.get("/tc/y", HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 404
    assert client.get("/tc/z", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1", **proxy).status_code == 429
