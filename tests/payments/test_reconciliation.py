"""Reconciliation: the beat task asks the gateway (VNPAY querydr) about payments left pending, so
a lost notification never leaves a paid dossier waiting; the query's checksum by hand."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from payments import services, vnpay
from payments.constants import PaymentStatus
from payments.models import Payment, PaymentEvent
from payments.tasks import reconcile_payments
from tests.payments.test_payments import fee_bearing_dossier, pay_in_sandbox

SECRET = "sandbox-secret-not-for-production"


def test_query_request_checksum_is_hmac_sha512_over_pipe_joined_fields():
    body = vnpay.build_query_request(
        tmn_code="MOTCUA01",
        hash_secret="s3cr3t",
        request_id="REQ1",
        txn_ref="MCABC",
        transaction_date=datetime(2026, 11, 22, 1, 0, 0, tzinfo=UTC),  # 08:00 in GMT+7
        created_at=datetime(2026, 11, 22, 1, 30, 5, tzinfo=UTC),
        ip_addr="10.0.0.1",
        order_info="Truy van MCABC",
    )
    by_hand = "REQ1|2.1.0|querydr|MOTCUA01|MCABC|20261122080000|20261122083005|10.0.0.1|Truy van MCABC"
    assert body["vnp_SecureHash"] == hmac.new(b"s3cr3t", by_hand.encode(), hashlib.sha512).hexdigest()
    assert vnpay.verify_query_request(body, "s3cr3t")
    assert not vnpay.verify_query_request({**body, "vnp_TxnRef": "MCXYZ"}, "s3cr3t")


def test_query_response_checksum_and_reading():
    answer = {
        "vnp_ResponseId": "R",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "ok",
        "vnp_TmnCode": "T",
        "vnp_TxnRef": "MCABC",
        "vnp_Amount": "1000000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261122080000",
        "vnp_TransactionNo": "42",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "x",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    by_hand = "R|querydr|00|ok|T|MCABC|1000000|NCB|20261122080000|42|01|00|x||"
    signed = {**answer, "vnp_SecureHash": hmac.new(b"k", by_hand.encode(), hashlib.sha512).hexdigest()}
    result = vnpay.verify_query_response(signed, "k")
    assert result.valid_signature and result.paid and result.settled and result.amount == 10000
    forged = vnpay.verify_query_response({**signed, "vnp_Amount": "100"}, "k")
    assert not forged.valid_signature and not forged.paid
    pending = vnpay.verify_query_response(
        vnpay.sign_query_response({**answer, "vnp_TransactionStatus": "01"}, "k"), "k"
    )
    assert pending.found and not pending.paid and not pending.settled
    assert not vnpay.verify_query_response("not a dict", "k").valid_signature


def through_portal(client):
    """The gateway is our own sandbox endpoint here: the query goes through the real view."""

    def transport(url, body):
        response = client.post(url, data=json.dumps(body), content_type="application/json")
        return response.json()

    return transport


def age(payment, minutes=30):
    Payment.objects.filter(pk=payment.pk).update(requested_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_a_payment_whose_notification_was_lost_is_confirmed_by_reconciliation(
    client, django_capture_on_commit_callbacks
):
    citizen, dossier = fee_bearing_dossier()
    client.force_login(citizen)
    back = pay_in_sandbox(client, dossier, outcome="lost")
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING and payment.requested_at is not None
    assert 'id="payment-pending"' in client.get(back["Location"]).content.decode()

    # Too recent: not asked yet.
    assert services.payments_reconcile(transport=through_portal(Client()))["queried"] == 0
    age(payment)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.payments_reconcile(transport=through_portal(Client()))
    assert counts["queried"] == 1 and counts["paid"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.gateway_transaction.startswith("SB")
    assert PaymentEvent.objects.filter(payment=payment, kind="paid", source="reconciliation").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status != DossierStatus.AWAITING_PAYMENT
    # A second round changes nothing (idempotent).
    assert services.payments_reconcile(transport=through_portal(Client()))["queried"] == 0


@pytest.mark.django_db
def test_reconciliation_leaves_unknown_and_forged_answers_and_expires_overdue(client):
    citizen, dossier = fee_bearing_dossier()
    client.force_login(citizen)
    gateway = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "sandbox"})  # never paid
    assert gateway.status_code == 302
    payment = Payment.objects.get()
    age(payment)
    counts = services.payments_reconcile(transport=through_portal(Client()))
    assert counts == {"queried": 1, "paid": 0, "failed": 0, "unanswered": 0, "expired": 0}

    def forged(url, body):  # a man in the middle says "paid" without the secret
        answer = through_portal(Client())(url, body)
        return {**answer, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_Amount": "1000000"}

    assert services.payments_reconcile(transport=forged)["unanswered"] == 1

    def down(url, body):
        raise ConnectionError("gateway unreachable")

    assert services.payments_reconcile(transport=down)["unanswered"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING

    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert reconcile_payments() == {"queried": 0, "paid": 0, "failed": 0, "unanswered": 0, "expired": 1}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED


@pytest.mark.django_db
def test_sandbox_query_endpoint_refuses_unsigned_queries(client):
    answer = client.post("/thanh-toan/thu-nghiem/querydr/", data="{}", content_type="application/json").json()
    assert answer["vnp_ResponseCode"] == "97"
    assert (
        client.post("/thanh-toan/thu-nghiem/querydr/", data="{not json", content_type="application/json").status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_reconciliation_queries_the_gateway_over_real_http(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    citizen, dossier = fee_bearing_dossier()
    client = Client()
    client.force_login(citizen)
    pay_in_sandbox(client, dossier, outcome="lost")
    payment = Payment.objects.get()
    age(payment)
    counts = services.payments_reconcile()  # the default transport: requests to the sandbox's URL
    assert counts["paid"] == 1
    assert Payment.objects.get().status == PaymentStatus.PAID
