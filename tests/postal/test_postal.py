"""Results by post (issue #15, section 5): the postal fee, the shipment created on result issue
through the carrier's API (the sandbox, over HTTP), and the carrier's signed status webhook."""

import json

import pytest
from django.test import Client

from dossiers import services as dossier_services
from dossiers.actions import dossier_act
from dossiers.constants import DossierStatus, EventKind
from dossiers.models import Dossier
from payments.services import payment_start
from portal.models import Notification
from postal.models import SandboxOrder, Shipment, ShipmentEvent
from postal.services import sign
from procedures.models import FeeRule
from tests.dossiers.factories import _PATH, _ROLES, CitizenFactory, StaffFactory, birth_procedure, filled_draft
from tests.second_factor import staff_login

S = DossierStatus
ADDRESS = "12 Lê Lợi, phường Trung Tâm"


def postal_draft(citizen, version):
    draft = filled_draft(citizen, version)
    Dossier.objects.filter(pk=draft.pk).update(delivery="post", delivery_address=ADDRESS)
    return Dossier.objects.get(pk=draft.pk)


def postal_dossier(upto=S.SUBMITTED, people=None):
    version = birth_procedure()
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    dossier = dossier_services.dossier_submit(dossier=postal_draft(citizen, version), actor=citizen)
    people = people if people is not None else {}
    for key, role in _ROLES.items():
        people.setdefault(key, StaffFactory(agency=version.agency, role=role))
    for _reached, name, who, data in _PATH:
        if dossier.status == upto:
            break
        data = {k: people[v].pk if k == "specialist" else v for k, v in data.items()}
        if name == "receive":
            from tests.dossiers.factories import receive_data

            data = receive_data(dossier)
        dossier = dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=people[who], data=data)
    return citizen, Dossier.objects.get(pk=dossier.pk)


def post_webhook(client, payload, secret_sign=True, signature=None):
    body = json.dumps(payload).encode()
    return client.post(
        "/buu-chinh/thong-bao/",
        data=body,
        content_type="application/json",
        headers={"X-Signature": signature if signature is not None else sign(body)},
    )


@pytest.mark.django_db
def test_postal_fee_is_shown_on_review_and_charged_with_the_fees(settings):
    settings.POSTAL_FEE_VND = 30000
    version = birth_procedure()
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    draft = postal_draft(citizen, version)
    client = Client()
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    form = client.get(f"/ho-so/nhap/{draft.public_id}/")
    assert form.status_code == 200 and b'data-postal-fee="30000"' in form.content
    page = client.get(f"/ho-so/nhap/{draft.public_id}/xem-lai/")
    assert page.status_code == 200
    assert b'data-postal-fee="30000"' in page.content
    dossier = dossier_services.dossier_submit(dossier=draft, actor=citizen)
    assert dossier.fee_due == 10000 + 30000
    payment = payment_start(dossier=dossier, method="sandbox", actor=citizen)
    assert payment.amount == 40000
    assert [line["amount"] for line in payment.items] == [10000, 30000]


@pytest.mark.django_db
def test_an_agency_with_its_own_postal_fee_charges_it(settings):
    settings.POSTAL_FEE_VND = 30000
    version = birth_procedure()
    version.agency.postal_fee_vnd = 45000
    version.agency.save(update_fields=["postal_fee_vnd"])
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    draft = postal_draft(citizen, version)
    client = Client()
    client.force_login(citizen)
    assert b'data-postal-fee="45000"' in client.get(f"/ho-so/nhap/{draft.public_id}/").content
    assert dossier_services.dossier_submit(dossier=draft, actor=citizen).fee_due == 10000 + 45000


@pytest.mark.django_db
def test_online_delivery_pays_no_postal_fee():
    version = birth_procedure()
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    dossier = dossier_services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    assert dossier.fee_due == 10000


@pytest.fixture
def fresh_publisher():
    """Eager tasks with publisher pools of their own: Celery acquires a producer even in eager mode,
    and kombu keeps its pools per broker URL process-wide, so a pool an earlier test closed (the
    integration tests' private broker) would refuse every publish of this transactional test."""
    from kombu import pools

    from portal.celery import app

    saved = app.conf.task_always_eager
    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.mark.django_db(transaction=True)
def test_result_issued_creates_a_shipment_through_the_sandbox_over_http(live_server, settings, fresh_publisher):
    settings.PORTAL_BASE_URL = live_server.url
    settings.POSTAL_API_URL = ""  # the built-in sandbox, reached over real HTTP
    citizen, dossier = postal_dossier(upto=S.FINISHED)
    dossier.payments.all()  # the fee is not the point here
    shipment = Shipment.objects.get(dossier=dossier)
    order = SandboxOrder.objects.get(reference=dossier.code)
    assert shipment.tracking_code == order.tracking_code and order.body["recipient"]["address"] == ADDRESS
    client = Client()
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(f"/ho-so/{dossier.code}/")
    assert f'data-postal-tracking="{shipment.tracking_code}"'.encode() in page.content


@pytest.mark.django_db
def test_sandbox_refuses_orders_without_the_token(client):
    answer = client.post(
        "/buu-chinh/thu-nghiem/orders/",
        data=json.dumps({"reference": "X", "recipient": {"address": "a"}}),
        content_type="application/json",
    )
    assert answer.status_code == 401 and not SandboxOrder.objects.exists()


def finished_with_shipment(capture, people=None):
    """A finished postal dossier and its shipment (the order itself is tested over HTTP above)."""
    from unittest import mock

    with mock.patch("postal.client.create_order", return_value={"tracking_code": "EB123456789VN"}):
        with capture(execute=True):
            citizen, dossier = postal_dossier(upto=S.FINISHED, people=people)
    return citizen, dossier, Shipment.objects.get(dossier=dossier)


@pytest.mark.django_db
def test_delivery_webhook_returns_the_result_with_an_audit_event(client, django_capture_on_commit_callbacks):
    citizen, dossier, shipment = finished_with_shipment(django_capture_on_commit_callbacks)
    assert dossier.status == S.FINISHED
    answer = post_webhook(client, {"event_id": "ev-1", "tracking_code": shipment.tracking_code, "status": "delivered"})
    assert answer.status_code == 200, answer.content
    dossier.refresh_from_db()
    shipment.refresh_from_db()
    assert dossier.status == S.RETURNED and shipment.status == "delivered"
    event = dossier.events.latest("pk")
    assert event.kind == EventKind.RESULT_RETURNED and event.role == "system"


@pytest.mark.django_db
def test_return_to_sender_goes_back_to_the_desk(client, django_capture_on_commit_callbacks):
    people = {}
    citizen, dossier, shipment = finished_with_shipment(django_capture_on_commit_callbacks, people)
    payload = {"event_id": "ev-2", "tracking_code": shipment.tracking_code, "status": "returned_to_sender"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, {**payload, "reason": "Không có người nhận"}).status_code == 200
    dossier.refresh_from_db()
    shipment.refresh_from_db()
    assert dossier.status == S.FINISHED and shipment.status == "returned_to_sender"
    assert dossier.events.latest("pk").kind == EventKind.POSTAL_RETURNED
    desk = staff_login(Client(), people["desk"])
    desk.cookies["django_language"] = "en"
    page = desk.get(f"/can-bo/ho-so/{dossier.code}/")
    assert page.status_code == 200 and b'data-postal-status="returned_to_sender"' in page.content
    # The applicant hears of it (the outbox's fan-out, after commit), in their inbox at least.
    told = Notification.objects.filter(recipient=citizen, event=EventKind.POSTAL_RETURNED, dossier_code=dossier.code)
    assert told.filter(channel="inbox").count() == 1


@pytest.mark.django_db
def test_forged_webhook_is_refused_and_logged_and_changes_nothing(client, caplog, django_capture_on_commit_callbacks):
    citizen, dossier, shipment = finished_with_shipment(django_capture_on_commit_callbacks)
    payload = {"event_id": "ev-3", "tracking_code": shipment.tracking_code, "status": "delivered"}
    forged = post_webhook(client, payload, signature="0" * 64)
    unsigned = post_webhook(client, payload, signature="")
    assert forged.status_code == 403 and unsigned.status_code == 403
    assert "invalid signature" in caplog.text
    dossier.refresh_from_db()
    assert dossier.status == S.FINISHED and not ShipmentEvent.objects.exists()


@pytest.mark.django_db
def test_replayed_webhook_is_recorded_once(client, django_capture_on_commit_callbacks):
    citizen, dossier, shipment = finished_with_shipment(django_capture_on_commit_callbacks)
    returned = {"event_id": "ev-4", "tracking_code": shipment.tracking_code, "status": "returned_to_sender"}
    assert post_webhook(client, returned).json() == {"status": "ok"}
    assert post_webhook(client, returned).json() == {"status": "duplicate"}
    assert ShipmentEvent.objects.count() == 1
    assert dossier.events.filter(kind=EventKind.POSTAL_RETURNED).count() == 1


@pytest.mark.django_db
def test_malformed_and_unknown_webhooks_are_refused(client):
    assert post_webhook(client, {"nothing": 1}).status_code == 400
    unknown = {"event_id": "ev-5", "tracking_code": "NOPE", "status": "delivered"}
    assert post_webhook(client, unknown).status_code == 404
    body = b"\x00\xff binary"
    answer = client.post(
        "/buu-chinh/thong-bao/", data=body, content_type="application/json", headers={"X-Signature": sign(body)}
    )
    assert answer.status_code == 400


@pytest.mark.django_db
def test_a_carrier_that_cannot_be_reached_is_retried_and_ships_once(settings, django_capture_on_commit_callbacks):
    from unittest import mock

    from postal.client import PostalApiError

    answers = [PostalApiError("down"), PostalApiError("down"), {"tracking_code": "EB999VN"}]
    with mock.patch("postal.client.create_order", side_effect=answers) as order:
        with django_capture_on_commit_callbacks(execute=True):
            citizen, dossier = postal_dossier(upto=S.FINISHED)
    assert order.call_count == 3
    assert Shipment.objects.get(dossier=dossier).tracking_code == "EB999VN"
