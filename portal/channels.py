"""Delivery channels behind one interface: send(address, subject, body) raises on failure.

Email uses Django's email backend. SMS and Zalo OA are HTTP providers configured by env vars;
by default a logging backend writes the message to the log (nothing leaves the machine).
"""

import logging

import requests
from django.conf import settings
from django.core.mail import send_mail

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
