"""Sending dossier events to the national public-service portal and to webhook subscribers.

Every event of a submitted dossier becomes one Delivery per target. A delivery is a signed JSON
POST; it is retried with exponential backoff until it is answered with a 2xx or its retry window
(SYNC_RETRY_HOURS) runs out, when it is dead-lettered for an administrator to resend.

Receivers check a request with `verify()`: the signature is a hex HMAC-SHA256, keyed with the
target's secret, over ``f"{timestamp}.".encode() + body``, sent as
``X-MotCua-Signature: sha256=<hex>`` beside ``X-MotCua-Timestamp`` (Unix seconds).
"""

import hashlib
import hmac
import json
import logging
import random
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dossiers.constants import NATIONAL_STATUS, DossierStatus, EventKind
from dossiers.models import DossierEvent

from .models import NATIONAL_TARGET, RETRIABLE, Delivery, DeliveryStatus, WebhookSubscription

logger = logging.getLogger(__name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+07:00 all year: the national portal's clock
TIMESTAMP_HEADER = "X-MotCua-Timestamp"
SIGNATURE_HEADER = "X-MotCua-Signature"
EVENT_ID_HEADER = "X-MotCua-Event-Id"  # receivers deduplicate on it: a retry may follow a lost answer
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
ERROR_LIMIT = 2000  # characters of an error (or of a receiver's answer) kept on the delivery


# --- What is sent ---------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds") if moment else None


def payload_for(event: DossierEvent, *, to_national_portal: bool = False) -> dict:
    """Describe one event for its receivers: codes and statuses, no personal data.

    The applicant's ID number goes only to the national portal, and only when
    NATIONAL_PORTAL_SEND_ID is on; webhook subscribers never get it.
    """
    dossier = event.dossier
    payload = {
        "event_id": event.pk,
        "event": event.kind,
        "event_at": _iso(event.at),
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "receiving_agency_code": dossier.receiving_agency.code,
        # The status the event left the dossier in, not today's: a late retry must not lie.
        "status": event.to_status,
        "national_status": NATIONAL_STATUS.get(event.to_status),
        "due_at": _iso(dossier.due_at),
    }
    if to_national_portal and settings.NATIONAL_PORTAL_SEND_ID:
        payload["applicant_id_number"] = dossier.applicant_id_number
    return payload


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# --- Signatures -----------------------------------------------------------------------------


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """Return the hex HMAC-SHA256 of the timestamp and body under the secret."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"sha256={sign(body, secret, timestamp)}"}


def verify(body: bytes, secret: str, timestamp, signature: str, tolerance_seconds: int = 300) -> bool:
    """Tell whether a received request is authentic and fresh (for receivers and tests).

    `timestamp` and `signature` are the header values as received (the signature with or without
    its "sha256=" prefix); a timestamp further than the tolerance from now, either way, fails.
    """
    if not secret or not signature:
        return False
    try:
        timestamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_seconds:
        return False
    received = signature.strip().removeprefix("sha256=").lower().encode("utf-8", "replace")
    return hmac.compare_digest(sign(body, secret, timestamp).encode(), received)


# --- Which deliveries an event needs --------------------------------------------------------


def goes_to_national_portal(event: DossierEvent) -> bool:
    """The national portal hears of status changes (and new due dates) of submitted dossiers."""
    if NATIONAL_STATUS.get(event.to_status) is None:
        return False
    return event.from_status != event.to_status or event.kind == EventKind.EXTENDED


def deliveries_for_event(event_id: int) -> list[Delivery]:
    """Make sure the event has one delivery per target that should hear of it; return them.

    Safe to call any number of times: existing deliveries are kept as they are.
    """
    event = DossierEvent.objects.get(pk=event_id)
    if event.to_status in ("", DossierStatus.DRAFT):
        return []  # drafts have no code: nobody outside hears of them
    now = timezone.now()
    wanted = []
    national_url = settings.NATIONAL_PORTAL_URL
    if national_url and goes_to_national_portal(event):
        wanted.append(Delivery(event=event, target_key=NATIONAL_TARGET, target_url=national_url))
    for subscription in WebhookSubscription.objects.filter(is_active=True):
        if subscription.wants(event.kind):
            wanted.append(
                Delivery(
                    event=event,
                    subscription=subscription,
                    target_key=subscription.target_key,
                    target_url=subscription.url,
                )
            )
    if not wanted:
        return []
    for delivery in wanted:
        delivery.next_attempt_at = delivery.created_at = now
    # The unique (event, target_key) constraint makes a second call, or a concurrent one, a no-op.
    Delivery.objects.bulk_create(wanted, ignore_conflicts=True)
    return list(Delivery.objects.filter(event=event, target_key__in=[d.target_key for d in wanted]).order_by("pk"))


# --- Attempts -------------------------------------------------------------------------------


def timeout_seconds() -> float:
    return float(settings.SYNC_TIMEOUT_SECONDS)


def retry_until(delivery: Delivery):
    """When the delivery's retry window closes (a resend opens a new one)."""
    start = delivery.resent_at or delivery.created_at
    return start + timedelta(hours=float(settings.SYNC_RETRY_HOURS))


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour, jittered
    so that deliveries failed together by an outage do not all come back at the same second."""
    seconds = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 20))
    return timedelta(seconds=seconds * random.uniform(0.75, 1.0))  # noqa: S311 - jitter, not a secret


def _claim(delivery: Delivery) -> bool:
    """Take the delivery for one attempt, unless it is finished or another worker is sending it."""
    now = timezone.now()
    lease = now + timedelta(seconds=2 * timeout_seconds() + 30)
    return bool(
        Delivery.objects.filter(pk=delivery.pk, status__in=RETRIABLE)
        .filter(Q(in_flight_until__isnull=True) | Q(in_flight_until__lte=now))
        .update(in_flight_until=lease)
    )


def _target(delivery: Delivery) -> tuple[str, str, str]:
    """The URL and secret to use now, or the reason there are none (url, secret, problem)."""
    if delivery.is_national:
        url = settings.NATIONAL_PORTAL_URL or delivery.target_url
        secret = settings.NATIONAL_PORTAL_SECRET
        return url, secret, "" if secret else "NATIONAL_PORTAL_SECRET is not set."
    subscription = delivery.subscription
    if subscription is None or not subscription.is_active:
        return "", "", "The subscription was deactivated."
    return subscription.url, subscription.secret, ""


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST once; return the HTTP status (None without an answer) and what went wrong, if anything."""
    try:
        # No redirects: a signed body is sent only where it was configured to go.
        with requests.post(
            url, data=body, headers=headers, timeout=timeout_seconds(), allow_redirects=False, stream=True
        ) as response:
            if 200 <= response.status_code < 300:
                return response.status_code, ""
            try:
                answer = response.raw.read(ERROR_LIMIT, decode_content=True).decode("utf-8", "replace")
            except (requests.RequestException, OSError, ValueError):
                answer = ""
            return response.status_code, f"HTTP {response.status_code}: {answer}".strip()
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"


def attempt(delivery: Delivery) -> bool:
    """POST the delivery's event to its target once, record the outcome; True if delivered.

    Does nothing (and posts nothing) when the delivery is already delivered or dead, or while
    another worker is sending it. A failure schedules the next attempt with backoff, or
    dead-letters the delivery once its retry window has run out. Never raises for the target's
    failures: they are recorded on the delivery.
    """
    if not _claim(delivery):
        delivery.refresh_from_db()
        return delivery.status == DeliveryStatus.DELIVERED
    delivery.refresh_from_db()
    url, secret, problem = _target(delivery)
    if problem and not delivery.is_national:
        # Nobody wants this any more: give up at once, without posting.
        return _record(delivery, status_code=None, error=problem, final=True)
    if problem:
        delivery.attempts += 1  # counts towards the backoff, so a misconfiguration is not hammered
        return _record(delivery, status_code=None, error=problem)
    event = DossierEvent.objects.select_related(
        "dossier__procedure_version__procedure", "dossier__receiving_agency"
    ).get(pk=delivery.event_id)
    body = encode(payload_for(event, to_national_portal=delivery.is_national))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "MotCua-Sync/1.0",
        EVENT_ID_HEADER: str(event.pk),
        **signed_headers(body, secret),
    }
    delivery.target_url = url
    delivery.attempts += 1
    status_code, error = _post(url, body, headers)
    return _record(delivery, status_code=status_code, error=error)


def _record(delivery: Delivery, *, status_code: int | None, error: str, final: bool = False) -> bool:
    now = timezone.now()
    delivery.last_status_code = status_code
    delivery.last_error = error[:ERROR_LIMIT]
    delivery.in_flight_until = None
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        deadline = retry_until(delivery)
        if final or now >= deadline:
            delivery.status = DeliveryStatus.DEAD
            delivery.next_attempt_at = None
            logger.warning(
                "Delivery %s to %s is dead after %s attempts: %s",
                delivery.pk,
                delivery.target_key,
                delivery.attempts,
                delivery.last_error,
            )
        else:
            delivery.status = DeliveryStatus.FAILED_RETRYING
            # One last attempt when the window closes rather than none after a long wait.
            delivery.next_attempt_at = min(now + backoff(delivery.attempts), deadline)
    delivery.save(
        update_fields=[
            "target_url",
            "attempts",
            "status",
            "last_status_code",
            "last_error",
            "in_flight_until",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery.status == DeliveryStatus.DELIVERED


def seconds_until_next_attempt(delivery: Delivery) -> float:
    if delivery.next_attempt_at is None:
        return 0.0
    return max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds())


def is_due(delivery: Delivery, *, slack_seconds: float = 1.0) -> bool:
    """Whether the delivery should be attempted now (a countdown may wake a task a little early)."""
    return delivery.status in RETRIABLE and (
        delivery.next_attempt_at is None or seconds_until_next_attempt(delivery) <= slack_seconds
    )


def due_deliveries(*, overdue_by: timedelta = timedelta(0)):
    """Deliveries still to be attempted whose time came at least `overdue_by` ago, not being sent."""
    now = timezone.now()
    return Delivery.objects.filter(status__in=RETRIABLE, next_attempt_at__lte=now - overdue_by).filter(
        Q(in_flight_until__isnull=True) | Q(in_flight_until__lte=now)
    )


# --- Administration -------------------------------------------------------------------------


def resend(delivery: Delivery) -> bool:
    """Send a dead or failing delivery again, now, with a new retry window; False if delivered.

    The resend goes to the target's current URL (an administrator may have corrected it).
    """
    from . import tasks

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.DELIVERED:
            return False
        now = timezone.now()
        if delivery.is_national:
            delivery.target_url = settings.NATIONAL_PORTAL_URL or delivery.target_url
        elif delivery.subscription is not None:
            delivery.target_url = delivery.subscription.url
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = now
        delivery.resent_at = now
        delivery.save(update_fields=["target_url", "status", "attempts", "next_attempt_at", "resent_at"])
        tasks.deliver.delay_on_commit(delivery.pk)
    return True
