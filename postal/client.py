"""The HTTP adapter of the postal carrier's order API (VNPost-style JSON over HTTPS).

POST {POSTAL_API_URL}/orders/ with ``Authorization: Bearer POSTAL_API_TOKEN`` and
``{"reference", "recipient": {"name", "phone", "address"}, "content", "cod_amount"}`` answers
``201 {"tracking_code", "reference", "status": "created"}``; the same reference twice answers
the same order (a retried request never ships twice). Empty POSTAL_API_URL: the built-in
sandbox (postal/views.py) at PORTAL_BASE_URL/buu-chinh/thu-nghiem/.
"""

import requests
from django.conf import settings
from django.urls import reverse


class PostalApiError(Exception):
    """The carrier did not accept the order (network, refusal, an answer we cannot read)."""


def api_base() -> str:
    if settings.POSTAL_API_URL:
        return settings.POSTAL_API_URL.rstrip("/")
    return (settings.PORTAL_BASE_URL + reverse("postal:sandbox_root")).rstrip("/")


def create_order(body: dict) -> dict:
    try:
        response = requests.post(
            api_base() + "/orders/",
            json=body,
            headers={"Authorization": f"Bearer {settings.POSTAL_API_TOKEN}"},
            timeout=settings.POSTAL_API_TIMEOUT,
        )
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise PostalApiError(str(error)) from error
    if not isinstance(answer, dict) or not str(answer.get("tracking_code") or "").strip():
        raise PostalApiError("the carrier's answer has no tracking code")
    return answer
