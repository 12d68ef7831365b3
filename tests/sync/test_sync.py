"""Dossier events sent to the national portal and to webhook subscribers, against a stand-in
receiver on loopback that answers 200, 500, or too late, as each test tells it to."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.constants import EventKind
from dossiers.models import DossierEvent
from sync import services, tasks
from sync.models import NATIONAL_TARGET, Delivery, DeliveryStatus, WebhookSubscription
from sync.services import sign, verify
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

pytestmark = pytest.mark.django_db

NATIONAL_SECRET = "national-portal-test-secret"
TIMEOUT = 0.5  # seconds the portal waits for an answer in these tests
SLOW = 3.0  # seconds a "slow" receiver takes to answer: well past the timeout


class Received:
    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body


class Receiver:
    """The stand-in national portal and subscribers: one server, one path per target."""

    def __init__(self):
        self.requests: list[Received] = []
        self.behaviour: dict[str, str] = {}  # path -> "ok" (200), "error" (500) or "slow"
        self.port = 0

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path):
        return [request for request in self.requests if request.path == path]


class ReceiverHandler(BaseHTTPRequestHandler):
    receiver: Receiver

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.receiver.requests.append(Received(self.path, dict(self.headers), body))
        behaviour = self.receiver.behaviour.get(self.path, "ok")
        if behaviour == "slow":
            time.sleep(SLOW)
        status = 500 if behaviour == "error" else 200
        answer = b'{"error":"internal"}' if status == 500 else b'{"ok":true}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the portal gave up waiting and hung up


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def receiver(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    state = Receiver()
    handler = type("Handler", (ReceiverHandler,), {"receiver": state})
    server = QuietServer(("127.0.0.1", 0), handler)
    state.port = server.server_address[1]
    # A short poll interval: shutdown() waits up to one interval, once per test (default 0.5 s).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def national(settings, receiver):
    settings.NATIONAL_PORTAL_URL = receiver.url("/national")
    settings.NATIONAL_PORTAL_SECRET = NATIONAL_SECRET
    settings.NATIONAL_PORTAL_SEND_ID = False
    settings.SYNC_TIMEOUT_SECONDS = TIMEOUT
    settings.SYNC_RETRY_HOURS = 48
    return receiver


@pytest.fixture
def no_national(settings):
    settings.NATIONAL_PORTAL_URL = ""
    settings.SYNC_TIMEOUT_SECONDS = TIMEOUT


def submitted_event():
    citizen = CitizenFactory()
    dossier = dossier_services.dossier_submit(dossier=filled_draft(citizen, birth_procedure()), actor=citizen)
    return dossier.events.last()


def other_event(dossier, kind=EventKind.RECEIVED, from_status="submitted", to_status="received"):
    """A second event of the same dossier, as the workflow would record it."""
    return DossierEvent.objects.create(dossier=dossier, kind=kind, from_status=from_status, to_status=to_status)


def make_due(delivery, ago=timedelta(seconds=1)):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - ago)
    delivery.refresh_from_db()


def seconds_to_next_attempt(delivery, since):
    return (delivery.next_attempt_at - since).total_seconds()


# --- Signatures -----------------------------------------------------------------------------


def test_the_national_portal_receives_the_event_signed_and_without_personal_data(national):
    event = submitted_event()
    dossier = event.dossier

    tasks.sync_event.delay(event.pk).get()

    [request] = national.received("/national")
    timestamp, signature = request.headers["X-MotCua-Timestamp"], request.headers["X-MotCua-Signature"]
    assert signature.startswith("sha256=")
    assert verify(request.body, NATIONAL_SECRET, timestamp, signature)
    assert not verify(request.body.replace(b'"submitted"', b'"finished"'), NATIONAL_SECRET, timestamp, signature)
    assert not verify(request.body, "another-secret", timestamp, signature)
    assert not verify(request.body, NATIONAL_SECRET, str(int(timestamp) - 1), signature)  # the time is signed
    assert request.headers["X-MotCua-Event-Id"] == str(event.pk)
    assert request.headers["Content-Type"].startswith("application/json")
    payload = json.loads(request.body)
    assert payload == {
        "event_id": event.pk,
        "event": "submitted",
        "event_at": timezone.localtime(event.at).isoformat(timespec="seconds"),
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "receiving_agency_code": "000.20.00.H99",
        "status": "submitted",
        "national_status": 1,
        "due_at": dossier.due_at and timezone.localtime(dossier.due_at).isoformat(timespec="seconds"),
    }
    assert payload["event_at"].endswith("+07:00")
    text = request.body.decode()
    for personal in (
        dossier.applicant_name,
        dossier.applicant_id_number,
        dossier.applicant_phone,
        dossier.applicant_email,
        dossier.applicant_address,
    ):
        assert personal and personal not in text
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert delivery.target_key == NATIONAL_TARGET and delivery.subscription is None


def test_submitting_a_dossier_sends_its_event_after_commit(national, django_capture_on_commit_callbacks):
    citizen = CitizenFactory()
    draft = filled_draft(citizen, birth_procedure())

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.dossier_submit(dossier=draft, actor=citizen)

    [request] = national.received("/national")
    assert json.loads(request.body)["dossier_code"] == dossier.code
    assert dossier.events.last().deliveries.get().status == DeliveryStatus.DELIVERED


def test_verify_rejects_old_future_and_malformed_signatures():
    body = b'{"dossier_code":"X"}'
    now = int(time.time())
    assert verify(body, "s3cret", now, sign(body, "s3cret", now))
    assert verify(body, "s3cret", str(now), f"sha256={sign(body, 's3cret', now)}")
    old, future = now - 301, now + 301
    assert not verify(body, "s3cret", old, sign(body, "s3cret", old))
    assert verify(body, "s3cret", old, sign(body, "s3cret", old), tolerance_seconds=400)
    assert not verify(body, "s3cret", future, sign(body, "s3cret", future))
    assert not verify(body, "s3cret", "yesterday", sign(body, "s3cret", now))
    assert not verify(body, "s3cret", now, "")
    assert not verify(body, "s3cret", now, "sha256=chữ-ký-giả")
    assert not verify(body, "", now, sign(body, "", now))


def test_the_id_number_goes_only_to_the_national_portal_and_only_when_allowed(national, settings):
    settings.NATIONAL_PORTAL_SEND_ID = True
    subscription = WebhookSubscription.objects.create(name="Sở Tư pháp", url=national.url("/hook"))
    event = submitted_event()

    tasks.sync_event.delay(event.pk).get()

    [to_national] = national.received("/national")
    [to_subscriber] = national.received("/hook")
    assert json.loads(to_national.body)["applicant_id_number"] == event.dossier.applicant_id_number
    assert "applicant_id_number" not in json.loads(to_subscriber.body)
    assert verify(
        to_subscriber.body,
        subscription.secret,
        to_subscriber.headers["X-MotCua-Timestamp"],
        to_subscriber.headers["X-MotCua-Signature"],
    )
    assert not verify(
        to_subscriber.body,
        NATIONAL_SECRET,
        to_subscriber.headers["X-MotCua-Timestamp"],
        to_subscriber.headers["X-MotCua-Signature"],
    )


# --- Retries --------------------------------------------------------------------------------


def test_a_failing_target_is_retried_with_backoff_then_delivered_exactly_once(national):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    before = timezone.now()

    tasks.sync_event.delay(event.pk).get()

    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED_RETRYING, 1, 500)
    assert "HTTP 500" in delivery.last_error and "internal" in delivery.last_error
    assert 30 * 0.75 - 1 <= seconds_to_next_attempt(delivery, before) <= 30 + 1
    # The task re-enqueued itself (run at once, eagerly) but the attempt was not due: no second POST.
    assert len(national.received("/national")) == 1

    before = timezone.now()
    assert services.attempt(delivery) is False
    assert delivery.attempts == 2
    assert 60 * 0.75 - 1 <= seconds_to_next_attempt(delivery, before) <= 60 + 1

    national.behaviour["/national"] = "ok"
    make_due(delivery)
    assert tasks.deliver.delay(delivery.pk).get() == "delivered"
    assert tasks.deliver.delay(delivery.pk).get() == "skipped"
    assert services.attempt(delivery) is True
    tasks.sync_event.delay(event.pk).get()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert delivery.last_error == ""
    assert len(national.received("/national")) == 3  # two failures, one success, nothing after it


def test_the_backoff_is_capped_at_an_hour(national):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    [delivery] = services.deliveries_for_event(event.pk)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=15)
    before = timezone.now()

    services.attempt(delivery)

    assert delivery.attempts == 16
    assert 3600 * 0.75 - 1 <= seconds_to_next_attempt(delivery, before) <= 3600 + 1


def test_a_target_that_times_out_is_recorded_and_retried_and_blocks_nothing(national):
    subscription = WebhookSubscription.objects.create(name="Chậm", url=national.url("/slow"))
    national.behaviour["/slow"] = "slow"
    event = submitted_event()
    started = time.monotonic()

    tasks.sync_event.delay(event.pk).get()  # does not raise

    assert time.monotonic() - started < SLOW
    slow = event.deliveries.get(subscription=subscription)
    assert (slow.status, slow.attempts, slow.last_status_code) == (DeliveryStatus.FAILED_RETRYING, 1, None)
    assert "Timeout" in slow.last_error
    assert slow.next_attempt_at > timezone.now()
    assert len(national.received("/slow")) == 1
    assert event.deliveries.get(target_key=NATIONAL_TARGET).status == DeliveryStatus.DELIVERED

    national.behaviour["/slow"] = "ok"
    make_due(slow)
    assert tasks.deliver.delay(slow.pk).get() == "delivered"


def test_past_the_retry_window_a_delivery_is_dead_lettered(national):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    tasks.sync_event.delay(event.pk).get()
    delivery = event.deliveries.get()

    # Just inside the window: one last attempt is kept for the moment it closes.
    created = timezone.now() - timedelta(hours=48) + timedelta(seconds=10)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=created)
    make_due(delivery)
    assert services.attempt(delivery) is False
    assert delivery.status == DeliveryStatus.FAILED_RETRYING
    assert delivery.next_attempt_at == created + timedelta(hours=48)

    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=48, minutes=1))
    make_due(delivery)
    assert tasks.deliver.delay(delivery.pk).get() == DeliveryStatus.DEAD

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DEAD, 3, None)
    assert tasks.deliver.delay(delivery.pk).get() == "skipped"
    assert services.attempt(delivery) is False
    assert tasks.retry_due_deliveries.delay().get() == 0
    assert len(national.received("/national")) == 3


def test_resend_sends_a_dead_delivery_again_with_a_new_window(national, django_capture_on_commit_callbacks):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    tasks.sync_event.delay(event.pk).get()
    delivery = event.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=49))
    make_due(delivery)
    services.attempt(delivery)
    assert delivery.status == DeliveryStatus.DEAD

    national.behaviour["/national"] = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend(delivery) is True

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.resent_at is not None
    assert services.resend(delivery) is False  # delivered: left alone
    assert len(national.received("/national")) == 3


def test_the_sweep_sends_overdue_deliveries_and_leaves_the_others(national):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    later = other_event(event.dossier)
    tasks.sync_event.delay(event.pk).get()
    tasks.sync_event.delay(later.pk).get()
    overdue, just_due = event.deliveries.get(), later.deliveries.get()
    make_due(overdue, ago=timedelta(minutes=3))
    make_due(just_due, ago=timedelta(seconds=10))  # its own countdown task is about to run it
    national.behaviour["/national"] = "ok"

    assert tasks.retry_due_deliveries.delay().get() == 1

    overdue.refresh_from_db()
    just_due.refresh_from_db()
    assert overdue.status == DeliveryStatus.DELIVERED
    assert just_due.status == DeliveryStatus.FAILED_RETRYING


def test_a_delivery_being_sent_is_not_sent_again_at_the_same_time(national):
    event = submitted_event()
    [delivery] = services.deliveries_for_event(event.pk)
    Delivery.objects.filter(pk=delivery.pk).update(in_flight_until=timezone.now() + timedelta(minutes=1))

    assert services.attempt(delivery) is False
    assert tasks.retry_due_deliveries.delay().get() == 0
    assert national.received("/national") == []

    Delivery.objects.filter(pk=delivery.pk).update(in_flight_until=timezone.now() - timedelta(seconds=1))
    assert services.attempt(delivery) is True  # the worker that held it died: its lease ran out


def test_without_a_national_secret_nothing_is_sent_and_the_delivery_waits(national, settings):
    settings.NATIONAL_PORTAL_SECRET = ""
    event = submitted_event()

    tasks.sync_event.delay(event.pk).get()

    delivery = event.deliveries.get()
    assert delivery.status == DeliveryStatus.FAILED_RETRYING
    assert "NATIONAL_PORTAL_SECRET" in delivery.last_error
    assert national.received("/national") == []


# --- Targets --------------------------------------------------------------------------------


def test_subscriptions_get_the_event_kinds_they_asked_for(no_national, receiver):
    everything = WebhookSubscription.objects.create(name="Mọi sự kiện", url=receiver.url("/all"))
    submissions = WebhookSubscription.objects.create(
        name="Nộp hồ sơ", url=receiver.url("/submitted"), event_kinds=[EventKind.SUBMITTED]
    )
    WebhookSubscription.objects.create(name="Tiếp nhận", url=receiver.url("/received"), event_kinds=["received"])
    WebhookSubscription.objects.create(name="Đã tắt", url=receiver.url("/inactive"), is_active=False)
    event = submitted_event()

    tasks.sync_event.delay(event.pk).get()

    assert sorted(request.path for request in receiver.requests) == ["/all", "/submitted"]
    assert {d.subscription for d in event.deliveries.all()} == {everything, submissions}
    for request, subscription in (
        (receiver.received("/all")[0], everything),
        (receiver.received("/submitted")[0], submissions),
    ):
        assert verify(
            request.body,
            subscription.secret,
            request.headers["X-MotCua-Timestamp"],
            request.headers["X-MotCua-Signature"],
        )


def test_deliveries_are_created_once_per_event_and_target(national):
    WebhookSubscription.objects.create(name="Sở Tư pháp", url=national.url("/hook"))
    event = submitted_event()

    first = services.deliveries_for_event(event.pk)
    second = services.deliveries_for_event(event.pk)
    tasks.sync_event.delay(event.pk).get()
    tasks.sync_event.delay(event.pk).get()

    assert [d.pk for d in first] == [d.pk for d in second] and len(first) == 2
    assert Delivery.objects.filter(event=event).count() == 2
    assert len(national.received("/national")) == 1 and len(national.received("/hook")) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(event=event, target_key=NATIONAL_TARGET, target_url=national.url("/national"))


def test_drafts_are_never_sent_and_the_national_portal_hears_only_of_changes(national):
    subscription = WebhookSubscription.objects.create(name="Mọi sự kiện", url=national.url("/hook"))
    citizen = CitizenFactory()
    draft = filled_draft(citizen, birth_procedure())
    assert services.deliveries_for_event(draft.events.get(kind=EventKind.CREATED).pk) == []

    dossier = dossier_services.dossier_submit(dossier=draft, actor=citizen)
    assigned = other_event(dossier, kind=EventKind.ASSIGNED, from_status="submitted", to_status="submitted")
    extended = other_event(dossier, kind=EventKind.EXTENDED, from_status="submitted", to_status="submitted")

    assert [d.target_key for d in services.deliveries_for_event(assigned.pk)] == [subscription.target_key]
    assert {d.target_key for d in services.deliveries_for_event(extended.pk)} == {
        NATIONAL_TARGET,
        subscription.target_key,
    }


def test_a_deactivated_subscription_is_not_posted_to_again(no_national, receiver):
    subscription = WebhookSubscription.objects.create(name="Hỏng", url=receiver.url("/hook"))
    receiver.behaviour["/hook"] = "error"
    event = submitted_event()
    tasks.sync_event.delay(event.pk).get()
    delivery = event.deliveries.get()
    subscription.is_active = False
    subscription.save()
    make_due(delivery)

    assert tasks.deliver.delay(delivery.pk).get() == DeliveryStatus.DEAD

    delivery.refresh_from_db()
    assert "deactivated" in delivery.last_error
    assert len(receiver.received("/hook")) == 1


# --- Admin ----------------------------------------------------------------------------------


def test_the_admin_lists_a_dossiers_deliveries_and_resends_them(
    national, admin_client, django_capture_on_commit_callbacks
):
    national.behaviour["/national"] = "error"
    event = submitted_event()
    tasks.sync_event.delay(event.pk).get()
    delivery = event.deliveries.get()
    changelist = reverse("admin:sync_delivery_changelist")

    found = admin_client.get(changelist, {"q": event.dossier.code, "status": "failed_retrying", "target": "national"})
    assert found.status_code == 200 and event.dossier.code in found.content.decode()
    assert admin_client.get(reverse("admin:sync_delivery_change", args=[delivery.pk])).status_code == 200
    assert admin_client.get(reverse("admin:sync_webhooksubscription_add")).status_code == 200

    national.behaviour["/national"] = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(changelist, {"action": "resend", "_selected_action": [delivery.pk]})

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
