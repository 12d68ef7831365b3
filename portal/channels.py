"""Delivery channels behind one interface: send(address, subject, body) raises on failure.

Email uses Django's email backend. SMS and Zalo OA are HTTP providers configured by env vars;
by default a logging backend writes the message to the log (nothing leaves the machine).

`zalo_oa_send` is the Zalo Official Account's own send API (a consultation message to a user
who wrote to the OA: POST {ZALO_OA_API_URL}/v3.0/oa/message/cs, header ``access_token``); with
an empty ZALO_OA_API_URL it speaks to the built-in sandbox at PORTAL_BASE_URL/zalo/thu-nghiem/.
"""

import logging

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

logger = logging.getLogger("portal.channels")


class ChannelError(Exception):
    """The provider refused or failed; the notification will be retried."""


def _send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address])
    except OSError as error:
        raise ChannelError(f"email: {error}") from error


def _http_provider(name: str):
    def send(address: str, subject: str, body: str) -> None:
        url = getattr(settings, f"{name}_API_URL")
        try:
            response = requests.post(
                url,
                json={"to": address, "message": body, "subject": subject},
                headers={"Authorization": f"Bearer {getattr(settings, f'{name}_API_TOKEN')}"},
                timeout=settings.NOTIFICATION_PROVIDER_TIMEOUT,
            )
        except requests.RequestException as error:
            raise ChannelError(f"{name.lower()}: {error}") from error
        if response.status_code >= 300:
            raise ChannelError(f"{name.lower()}: HTTP {response.status_code} {response.text[:200]}")

    return send


def _logging_provider(name: str):
    def send(address: str, subject: str, body: str) -> None:
        logger.info("%s to=%s subject=%r body=%r", name.lower(), address, subject, body[:500])

    return send


def sender(channel: str):
    """The send function of a channel, as configured."""
    if channel == "email":
        return _send_email
    name = {"sms": "SMS", "zalo": "ZALO"}[channel]
    backend = getattr(settings, f"{name}_BACKEND")
    return _http_provider(name) if backend == "http" else _logging_provider(name)


def zalo_oa_api_base() -> str:
    if settings.ZALO_OA_API_URL:
        return settings.ZALO_OA_API_URL.rstrip("/")
    # The sandbox's URL by name: the assistant app that serves it sits above portal.
    return (settings.PORTAL_BASE_URL + reverse("zalo_sandbox_root")).rstrip("/")


def zalo_oa_send(user_id: str, text: str) -> str:
    """Send a text to a Zalo user through the OA; return Zalo's message id or raise ChannelError.

    Zalo answers HTTP 200 with ``{"error": 0, "data": {"message_id"}}``, or a negative
    ``error`` code and a ``message`` (an expired access token is -216)."""
    headers = {"access_token": settings.ZALO_OA_ACCESS_TOKEN}
    if not settings.ZALO_OA_API_URL:
        # The sandbox runs under Django's or gunicorn's server, which drop header names with an
        # underscore (they could pass for another header): it reads the token as Access-Token too.
        headers["Access-Token"] = settings.ZALO_OA_ACCESS_TOKEN
    try:
        response = requests.post(
            zalo_oa_api_base() + "/v3.0/oa/message/cs",
            json={"recipient": {"user_id": user_id}, "message": {"text": text}},
            headers=headers,
            timeout=settings.NOTIFICATION_PROVIDER_TIMEOUT,
        )
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ChannelError(f"zalo oa: {error}") from error
    answer = answer if isinstance(answer, dict) else {}
    if response.status_code >= 300 or answer.get("error") != 0:
        detail = f"HTTP {response.status_code} error {answer.get('error')} {answer.get('message', '')}"
        raise ChannelError(f"zalo oa: {detail}"[:300])
    return str((answer.get("data") or {}).get("message_id") or "")
