"""Notifications, the outbox and the deadline sweep."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from dossiers import services
from dossiers.actions import dossier_act
from dossiers.models import Dossier
from dossiers.sweeps import deadline_sweep
from portal.models import AgencyMembership, DeliveryStatus, Notification, NotificationTemplate, OutboxMessage
from portal.notifications import Recipient, notify
from portal.outbox import outbox_dispatch
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft, receive_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    version = birth_procedure()
    citizen = CitizenFactory(phone_verified=True, notification_preferences={"default": ["inbox", "email", "sms"]})
    desk = CitizenFactory(full_name="Cán bộ")
    specialist = CitizenFactory(full_name="Chuyên viên")
    leader = CitizenFactory(full_name="Lãnh đạo")
    for user, role in ((desk, "receptionist"), (specialist, "specialist"), (leader, "leader")):
        AgencyMembership.objects.create(user=user, agency=version.agency, role=role)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
        dossier_act(dossier=dossier, name="receive", actor=desk, data=receive_data(dossier))
        dossier_act(
            dossier=Dossier.objects.get(pk=dossier.pk), name="assign", actor=desk, data={"specialist": specialist.pk}
        )
    return Dossier.objects.get(pk=dossier.pk), citizen, specialist, leader


def test_every_step_reaches_the_applicant_on_each_channel_once(received):
    dossier, citizen, specialist, _ = received
    mine = Notification.objects.filter(recipient=citizen)
    # submitted + received, each on inbox, email and SMS (the citizen chose SMS too)
    assert sorted(mine.values_list("event", "channel")) == sorted(
        (event, channel) for event in ("submitted", "received") for channel in ("inbox", "email", "sms")
    )
    assert set(mine.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Notification.objects.get(recipient=specialist, channel="inbox").event == "assigned"
    assert len([m for m in mail.outbox if dossier.code in m.subject]) >= 2
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 0


def test_handling_an_outbox_message_twice_notifies_once(received):
    from portal.tasks import handle_outbox

    dossier, citizen, *_ = received
    message = OutboxMessage.objects.filter(topic="dossier.event").order_by("pk").first()
    before = Notification.objects.count()
    handle_outbox(message.pk)
    handle_outbox(message.pk)
    assert Notification.objects.count() == before


def test_provider_failure_is_retried_then_marked_failed(received, settings, monkeypatch):
    from portal import channels

    settings.SMS_BACKEND = "http"
    settings.SMS_API_URL = "http://127.0.0.1:9/unreachable"
    dossier, citizen, *_ = received
    made = notify(
        key="test:fail",
        event="received",
        recipient=Recipient(user=citizen),
        context={"dossier": dossier, "event_label": "x", "base_url": ""},
        dossier_code=dossier.code,
    )
    sms = next(n for n in made if n.channel == "sms")
    from portal.tasks import send_notification

    send_notification.apply(args=(sms.pk,))  # eager: retries run inline until the last one
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED and sms.attempts == 6 and "sms" in sms.last_error
    assert Dossier.objects.get(pk=dossier.pk).status == "in_processing"  # the dossier is unaffected
    # The real HTTP provider tried the configured address (no monkeypatched sender).
    assert channels.sender("sms").__qualname__.startswith("_http_provider")
    assert "port=9" in sms.last_error


def test_admin_templates_are_used_and_a_malformed_one_is_refused(received):
    dossier, citizen, *_ = received
    bad = NotificationTemplate(event="received", channel="email", language="vi", subject="{% if %}", body="x")
    with pytest.raises(ValidationError):
        bad.full_clean()
    NotificationTemplate.objects.create(
        event="received",
        channel="email",
        language="vi",
        subject="Đã nhận {{ dossier_code }}",
        body="Kính gửi {{applicant_name}}",
    )
    made = notify(
        key="test:tpl",
        event="received",
        recipient=Recipient(user=citizen),
        context={"dossier": dossier},
        placeholders={"dossier_code": dossier.code, "applicant_name": dossier.applicant_name},
        dossier_code=dossier.code,
    )
    email = next(n for n in made if n.channel == "email")
    assert email.subject == f"Đã nhận {dossier.code}" and email.body == f"Kính gửi {dossier.applicant_name}"


@pytest.mark.parametrize(
    "text",
    [
        "{{ event.actor.password }}",
        "{% debug %}",
        "{{ dossier_code|upper }}",
        "{{ dossier.code }}",
        "{{ secret_key }}",
        "{# note #}",
        "{% load i18n %}{{ dossier_code }}",
        "{{ dossier_code",
    ],
)
def test_notification_template_that_reads_objects_or_uses_tags_is_refused(text):
    template = NotificationTemplate(event="received", channel="inbox", language="vi", subject="S", body=text)
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    message = " ".join(refused.value.message_dict["body"])
    assert "{{ dossier_code }}" in message and "{{ link }}" in message  # the allowed list is given


def test_every_documented_placeholder_is_accepted_and_filled_by_the_fanout(
    received, django_capture_on_commit_callbacks
):
    from dossiers.fanout import on_event
    from portal.message_templates import PLACEHOLDERS

    dossier, citizen, *_ = received
    body = "\n".join(f"{name}={{{{ {name} }}}}" for name in PLACEHOLDERS)
    NotificationTemplate(
        event="received", channel="inbox", language="vi", subject="{{ dossier_code }}", body=body
    ).full_clean()
    NotificationTemplate.objects.create(
        event="received", channel="inbox", language="vi", subject="{{ dossier_code }}", body=body
    )
    Notification.objects.filter(recipient=citizen, event="received").delete()
    with django_capture_on_commit_callbacks(execute=True):
        on_event(dossier.events.get(kind="received").pk)
    inbox = Notification.objects.get(recipient=citizen, event="received", channel="inbox")
    assert inbox.subject == dossier.code
    assert f"procedure_name={dossier.procedure_version.name}" in inbox.body
    assert f"applicant_name={dossier.applicant_name}\n" in inbox.body and f"/ho-so/{dossier.code}/\n" in inbox.body


def test_stored_template_reading_the_actors_password_falls_back_to_the_default_text(
    received, django_capture_on_commit_callbacks, caplog
):
    from dossiers.fanout import on_event

    dossier, citizen, *_ = received
    # Saved before the rule (no clean): it must never be rendered.
    NotificationTemplate.objects.create(
        event="received",
        channel="inbox",
        language="vi",
        subject="{% debug %}",
        body="{{ event.actor.password }} {{ dossier.applicant.password }}",
    )
    Notification.objects.filter(recipient=citizen, event="received").delete()
    with django_capture_on_commit_callbacks(execute=True):
        on_event(dossier.events.get(kind="received").pk)
    inbox = Notification.objects.get(recipient=citizen, event="received", channel="inbox")
    assert "pbkdf2" not in inbox.body and "pbkdf2" not in inbox.subject and "csrf" not in inbox.subject.lower()
    assert dossier.code in inbox.subject and dossier.code in inbox.body  # the default text
    assert "breaks the placeholder rule" in caplog.text


def test_admin_form_lists_the_allowed_placeholders(admin_client):
    page = admin_client.get("/admin/portal/notificationtemplate/add/")
    assert page.status_code == 200
    assert "{{ dossier_code }}" in page.content.decode() and "{{ lookup_link }}" in page.content.decode()
    refused = admin_client.post(
        "/admin/portal/notificationtemplate/add/",
        {
            "event": "received",
            "channel": "inbox",
            "language": "vi",
            "subject": "x",
            "body": "{{ event.actor.password }}",
        },
    )
    assert refused.status_code == 200 and not NotificationTemplate.objects.exists()
    assert "{{ event.actor.password }}" in refused.content.decode()


def test_sweep_notifies_once_per_threshold(received, django_capture_on_commit_callbacks):
    dossier, citizen, specialist, leader = received
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        first = deadline_sweep()
        again = deadline_sweep()
    assert (first.due_soon, first.overdue, again.due_soon, again.overdue) == (1, 0, 0, 0)
    assert Notification.objects.filter(event="due_soon", recipient=specialist, channel="inbox").count() == 1
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        late = deadline_sweep()
        deadline_sweep()
    assert late.overdue == 1
    overdue = Notification.objects.filter(event="overdue", channel="inbox")
    assert set(overdue.values_list("recipient__full_name", flat=True)) == {"Chuyên viên", "Lãnh đạo"}
    assert overdue.count() == 2


def test_inbox_shows_and_marks_read(received, client):
    dossier, citizen, *_ = received
    client.force_login(citizen)
    assert client.get("/").context["UNREAD_NOTIFICATIONS"] == 2
    page = client.get("/thong-bao/")
    assert dossier.code in page.content.decode()
    # Looking is not reading (each message is read when opened, tests/portal/test_inbox.py).
    assert client.get("/").context["UNREAD_NOTIFICATIONS"] == 2
    client.post("/thong-bao/doc-het/")
    assert client.get("/").context["UNREAD_NOTIFICATIONS"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_publish_each_row_once(monkeypatch):
    """Two dispatchers claim rows with SKIP LOCKED: every row is published exactly once."""
    from portal import tasks

    published = []
    lock = threading.Lock()

    def record(args, **kwargs):
        with lock:
            published.append(args[0])

    monkeypatch.setattr(tasks.handle_outbox, "apply_async", record)
    rows = OutboxMessage.objects.bulk_create([OutboxMessage(topic="dossier.event", payload={}) for _ in range(300)])
    barrier = threading.Barrier(2)

    def dispatcher():
        barrier.wait()
        try:
            outbox_dispatch()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(published) == sorted(row.pk for row in rows)
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()
