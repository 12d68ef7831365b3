from rest_framework.test import APIClient

from portal.models import ApiClient


def make_token(user, *, agencies=(), rate="", name="Ứng dụng thử") -> str:
    client = ApiClient.objects.create(name=name, user=user, throttle_rate=rate)
    client.agencies.set(agencies)
    return client.issue_token()[1]


def api_for(user=None, **kwargs) -> APIClient:
    """An API client sending a bearer token of a new ApiClient acting as `user` (anonymous: none)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user, **kwargs)}")
    return client


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    if field is not None:
        assert field in body["errors"], body
    return body
