"""The base names no app above it: the apps fill its registries from AppConfig.ready() (the outbox
topics, dossiers' hooks), and `lint-imports` (make lint) keeps every import pointing downward."""

import pytest

from dossiers import fanout, hooks
from dossiers.constants import EventKind
from dossiers.services import dossier_submit, record_event
from payments import receipts
from payments.services import payments_void_pending
from portal import outbox_handlers
from portal.models import OutboxMessage
from portal.tasks import handle_outbox
from sync.apps import _sync_dossier_event
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

pytestmark = pytest.mark.django_db


def test_every_topic_the_apps_write_has_the_handler_its_app_registered():
    assert outbox_handlers.outbox_topics() >= {"dossier.event", "dossier.deadline", "payment.paid"}
    assert outbox_handlers.outbox_handler_for("dossier.event") is fanout.on_event
    assert outbox_handlers.outbox_handler_for("dossier.deadline") is fanout.on_deadline
    assert outbox_handlers.outbox_handler_for("payment.paid") is receipts.receipt_for


def test_a_row_of_a_topic_no_app_handles_fails_loudly_and_stays_for_a_look():
    row = OutboxMessage.objects.create(topic="appointments.booked", payload={"booking_id": 1})

    with pytest.raises(LookupError, match="no outbox handler for topic 'appointments.booked'"):
        handle_outbox(row.pk)
    assert OutboxMessage.objects.filter(pk=row.pk).exists()


def test_a_topic_cannot_be_taken_over_by_a_second_handler():
    with pytest.raises(ValueError, match="already has a handler"):
        outbox_handlers.outbox_handler_register("dossier.event", print)
    # Registering the same handler again (ready() run twice) is harmless.
    outbox_handlers.outbox_handler_register("dossier.event", outbox_handlers.outbox_handler_for("dossier.event"))


def test_the_apps_above_dossiers_subscribe_through_its_hooks():
    assert _sync_dossier_event in hooks._event_subscribers
    assert payments_void_pending in hooks._fee_requested
    grounds = hooks.desk_context(dossier=None, user=None)["exemption_grounds"]
    assert "poor_household" in [value for value, _label in grounds]


def test_a_dossier_event_reaches_every_subscriber_once_and_a_draft_reaches_none(monkeypatch):
    heard = []
    monkeypatch.setattr(hooks, "_event_subscribers", [])
    hooks.on_dossier_event(lambda *, event: heard.append(event.pk))
    citizen = CitizenFactory()
    draft = filled_draft(citizen, birth_procedure())
    quiet = record_event(draft, kind=EventKind.FILE_QUARANTINED, actor=None)
    fanout.on_event(quiet.pk)
    assert heard == []

    dossier = dossier_submit(dossier=draft, actor=citizen)
    submitted = dossier.events.get(kind=EventKind.SUBMITTED)
    fanout.on_event(submitted.pk)
    assert heard == [submitted.pk]
