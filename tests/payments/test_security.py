"""Security review of payments (issue #11): the bank's secret in production, a payment left over
from an old amount, a second payment of a paid dossier. Every notification is signed the way its
protocol signs it (HMAC-SHA256 of the body for the bank, HMAC-SHA512 of the query for VNPAY)."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.test import Client

from dossiers.actions import dossier_act
from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from payments import services, vnpay
from payments.constants import PaymentStatus
from payments.models import Payment, PaymentEvent, Receipt
from portal.models import AgencyMembership
from tests.dossiers.factories import CitizenFactory, receive_data
from tests.payments.test_payments import fee_bearing_dossier
from tests.payments.test_reconciliation import age, through_portal
from tests.second_factor import staff_login

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def bank_notify(payment, *, amount=None, transaction_id="FT0001"):
    """What the bank posts for an incoming transfer, signed with the configured secret."""
    body = json.dumps(
        {
            "reference": payment.reference,
            "amount": payment.amount if amount is None else amount,
            "transaction_id": transaction_id,
        }
    ).encode()
    signature = hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return Client(raise_request_exception=False).post(
        "/thanh-toan/ngan-hang/thong-bao/", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )


def vnpay_ipn(payment, *, transaction_no="14000001"):
    """VNPAY's server-to-server IPN for a successful payment, signed with the hash secret."""
    params = {
        "vnp_TmnCode": settings.VNPAY_TMN_CODE,
        "vnp_TxnRef": payment.reference,
        "vnp_Amount": str(payment.amount * 100),
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": transaction_no,
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261201101500",
        "vnp_OrderInfo": f"Thanh toan ho so {payment.dossier.code}",
    }
    params["vnp_SecureHash"] = vnpay.sign(params, settings.VNPAY_HASH_SECRET)
    return Client(raise_request_exception=False).get("/thanh-toan/vnpay/ipn/", params)


def raise_the_fee(dossier, amount=50000):
    """The desk receives and assigns the dossier; its specialist requests a new amount."""
    desk, specialist = CitizenFactory(), CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    AgencyMembership.objects.create(user=specialist, agency=dossier.competent_agency, role="specialist")
    dossier_act(dossier=dossier, name="receive", actor=desk, data=receive_data(dossier))
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="assign", actor=desk, data={"specialist": specialist.pk}
    )
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="request_payment", actor=specialist, data={"amount": amount}
    )
    return Dossier.objects.get(pk=dossier.pk)


def fee_raised_after_a_payment_was_opened(method):
    """The citizen opens a payment for the catalogue's fee at submission; then the specialist
    requests a higher amount. Returns the citizen, the dossier and the payment for the old amount."""
    citizen, dossier = fee_bearing_dossier()
    old = services.payment_start(dossier=dossier, method=method, actor=citizen)
    return citizen, raise_the_fee(dossier), Payment.objects.get(pk=old.pk)


def overpayments():
    from payments.models import Overpayment  # here, so that the tests fail on behaviour first

    return Overpayment.objects


def snapshot(dossier):
    """Everything a replayed notification must leave as it was."""
    dossier.refresh_from_db()
    return (
        dossier.status,
        dossier.fee_due,
        dossier.events.count(),
        sorted(Payment.objects.filter(dossier=dossier).values_list("reference", "status")),
        PaymentEvent.objects.filter(payment__dossier=dossier).count(),
        Receipt.objects.count(),
        overpayments().count(),
    )


# --- 1. A forged bank notification pays a fee in production ------------------------------------


def production_env(**overrides):
    """A complete production environment with random secrets; override to break one."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "BANK_", "VNPAY_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": "k" * 20 + os.urandom(24).hex(),
            "DJANGO_ALLOWED_HOSTS": "portal.example.gov.vn",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/none",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "BANK_WEBHOOK_SECRET": os.urandom(24).hex(),
            "VNPAY_ENABLED": "false",
            "RESULT_SIGNING_KEY_PASSPHRASE": os.urandom(24).hex(),
            "TSA_URL": "https://tsa.example.gov.vn/rfc3161",
        }
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def read_setting(name, env):
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_forged_bank_notification_production_has_no_public_webhook_secret():
    missing = read_setting("BANK_WEBHOOK_SECRET", production_env(BANK_WEBHOOK_SECRET=None))
    assert missing.returncode != 0 and "BANK_WEBHOOK_SECRET" in missing.stderr
    assert "bank-webhook-dev-secret" not in missing.stdout
    placeholder = read_setting("BANK_WEBHOOK_SECRET", production_env(BANK_WEBHOOK_SECRET="bank-webhook-dev-secret"))
    assert placeholder.returncode != 0 and "ImproperlyConfigured" in placeholder.stderr
    assert "BANK_WEBHOOK_SECRET" in placeholder.stderr
    chosen = os.urandom(24).hex()
    configured = read_setting("BANK_WEBHOOK_SECRET", production_env(BANK_WEBHOOK_SECRET=chosen))
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.strip() == chosen


def test_forged_bank_notification_docker_compose_demands_the_secrets():
    compose = (ROOT / "docker-compose.yml").read_text()
    for name in (
        "DJANGO_SECRET_KEY",
        "BANK_WEBHOOK_SECRET",
        "VNPAY_ENABLED",
        "RESULT_SIGNING_KEY_PASSPHRASE",
        "POSTGRES_PASSWORD",
        "FLOWER_BASIC_AUTH",
    ):
        assert f"${{{name}:?" in compose, name
    assert "change-me" not in compose and ":-motcua}" not in compose


# --- 2. A stale payment settles a raised fee ---------------------------------------------------


def test_stale_payment_bank_transfer_of_the_old_amount_does_not_settle_a_raised_fee():
    citizen, dossier, old = fee_raised_after_a_payment_was_opened("vietqr")
    assert (dossier.status, dossier.fee_due) == (DossierStatus.AWAITING_PAYMENT, 50000)
    assert old.status == "voided"  # voided by the new request, in its transaction
    assert PaymentEvent.objects.filter(payment=old, kind="voided").count() == 1

    answer = bank_notify(old)  # the citizen transfers the old 10,000 đ anyway
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_PAYMENT  # still owes 50,000 đ
    assert not Payment.objects.filter(status=PaymentStatus.PAID).exists() and not Receipt.objects.exists()
    over = overpayments().get()
    assert (over.payment, over.amount, over.reason, over.status, over.source) == (
        old,
        10000,
        "superseded",
        "to_refund",
        "bank",
    )
    assert PaymentEvent.objects.filter(payment=old, kind="overpaid").count() == 1

    before = snapshot(dossier)
    assert bank_notify(old).status_code == 200  # the bank retries: nothing more
    assert snapshot(dossier) == before

    # The QR page of the old payment says why it no longer works; the new amount pays.
    client = Client()
    client.force_login(citizen)
    page = client.get(f"/thanh-toan/{old.reference}/vietqr/")
    assert page.status_code == 410 and 'id="payment-voided"' in page.content.decode()
    assert "vietqr" not in page.content.decode().split("<main", 1)[-1]  # no QR code
    new = services.payment_start(dossier=dossier, method="vietqr", actor=citizen)
    assert new.pk != old.pk and new.amount == 50000
    assert bank_notify(new, transaction_id="FT0002").status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROCESSING and Payment.objects.get(status="paid") == new


def test_stale_payment_vnpay_ipn_of_the_old_amount_does_not_settle_a_raised_fee():
    citizen, dossier, old = fee_raised_after_a_payment_was_opened("vnpay")
    answer = vnpay_ipn(old)
    assert answer.status_code == 200
    assert answer.json() == {"RspCode": "00", "Message": "Confirm Success"}  # recorded: VNPAY stops retrying
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_PAYMENT
    assert Payment.objects.get(pk=old.pk).status == "voided"
    assert overpayments().get().reason == "superseded"
    before = snapshot(dossier)
    assert vnpay_ipn(old).json()["RspCode"] == "00"  # replayed
    assert snapshot(dossier) == before


def test_stale_payment_sandbox_link_stops_working():
    citizen, dossier = fee_bearing_dossier()
    client = Client()
    client.force_login(citizen)
    link = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "sandbox"})["Location"]
    dossier = raise_the_fee(dossier)
    page = client.get(link)
    assert page.status_code == 410 and 'id="payment-voided"' in page.content.decode()
    params = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert client.post("/thanh-toan/thu-nghiem/", {**params, "outcome": "pay"}).status_code == 410
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.AWAITING_PAYMENT
    assert not Payment.objects.filter(status=PaymentStatus.PAID).exists()


def test_stale_payment_confirmation_must_match_the_amount_due_now():
    """A pending payment for another amount than the dossier owes (opened before this fix, or
    the fee changed another way) settles nothing, whoever confirms it: reconciliation here."""
    citizen, dossier = fee_bearing_dossier()
    client = Client()
    client.force_login(citizen)
    link = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "sandbox"})["Location"]
    params = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    client.post("/thanh-toan/thu-nghiem/", {**params, "outcome": "lost"})  # paid; the IPN never came
    payment = Payment.objects.get()
    Dossier.objects.filter(pk=dossier.pk).update(fee_due=30000)  # what is owed changed meanwhile
    age(payment)
    services.payments_reconcile(transport=through_portal(Client()))
    payment.refresh_from_db()
    assert payment.status == "voided"
    assert overpayments().get().amount == 10000 and not Receipt.objects.exists()


def test_stale_payment_paid_through_its_old_link_with_the_notification_lost_is_found_by_reconciliation():
    citizen, dossier = fee_bearing_dossier()
    client = Client()
    client.force_login(citizen)
    link = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "sandbox"})["Location"]
    params = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    client.post("/thanh-toan/thu-nghiem/", {**params, "outcome": "lost"})  # paid; the IPN never came
    dossier = raise_the_fee(dossier)  # meanwhile the fee is raised: the payment is voided
    payment = Payment.objects.get()
    assert payment.status == "voided"
    age(payment)
    services.payments_reconcile(transport=through_portal(Client()))
    over = overpayments().get()
    assert (over.payment_id, over.amount, over.source) == (payment.pk, 10000, "reconciliation")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.AWAITING_PAYMENT
    before = snapshot(dossier)
    assert services.payments_reconcile(transport=through_portal(Client()))["queried"] == 0  # recorded: not asked again
    assert snapshot(dossier) == before


def test_stale_payment_the_desk_cannot_confirm_a_fee_no_one_paid():
    citizen, dossier, old = fee_raised_after_a_payment_was_opened("vietqr")
    desk = CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    client = Client()
    staff_login(client, desk)
    answer = client.post(f"/can-bo/ho-so/{dossier.code}/confirm_payment/", {"comment": "Đã nộp"})
    assert answer.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.AWAITING_PAYMENT
    client.post(f"/can-bo/thu-phi/{dossier.code}/")  # the desk takes the 50,000 đ in cash
    paid = Payment.objects.get(status="paid")
    assert (paid.amount, paid.method) == (50000, "counter") and paid.pk != old.pk
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROCESSING


# --- 3. A second payment for a paid dossier answers 500 ----------------------------------------


def two_open_payments():
    citizen, dossier = fee_bearing_dossier()
    by_card = services.payment_start(dossier=dossier, method="vnpay", actor=citizen)
    by_transfer = services.payment_start(dossier=dossier, method="vietqr", actor=citizen)
    return dossier, by_card, by_transfer


def test_overpayment_bank_transfer_for_a_dossier_paid_by_card_is_kept_not_a_500():
    dossier, by_card, by_transfer = two_open_payments()
    assert vnpay_ipn(by_card).json()["RspCode"] == "00"
    answer = bank_notify(by_transfer)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert Payment.objects.get(pk=by_card.pk).status == PaymentStatus.PAID
    assert Payment.objects.get(pk=by_transfer.pk).status == "voided"
    over = overpayments().get()
    assert (over.payment_id, over.amount, over.reason, over.gateway_transaction) == (
        by_transfer.pk,
        10000,
        "already_paid",
        "FT0001",
    )
    assert PaymentEvent.objects.filter(payment=by_transfer, kind="overpaid").count() == 1
    before = snapshot(dossier)
    assert bank_notify(by_transfer).status_code == 200  # the bank's retry
    assert snapshot(dossier) == before


def test_overpayment_card_payment_for_a_dossier_paid_by_transfer_is_kept_not_a_500():
    dossier, by_card, by_transfer = two_open_payments()
    assert bank_notify(by_transfer).status_code == 200
    answer = vnpay_ipn(by_card)
    assert answer.status_code == 200 and answer.json()["RspCode"] == "00"
    assert Payment.objects.get(pk=by_transfer.pk).status == PaymentStatus.PAID
    assert overpayments().get().payment_id == by_card.pk
    before = snapshot(dossier)
    assert vnpay_ipn(by_card).json()["RspCode"] == "00"
    assert snapshot(dossier) == before
    # The desk sees it on the dossier and records the refund.
    desk = CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    client = Client()
    staff_login(client, desk)
    over = overpayments().get()
    assert f'id="overpayment-{over.pk}"' in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    services.overpayment_refund(overpayment=over, actor=desk)
    assert overpayments().get().status == "refunded"
    assert PaymentEvent.objects.filter(kind="overpayment_refunded", actor=desk).count() == 1


def test_overpayment_same_transfer_reference_paid_twice_is_kept():
    _, dossier = fee_bearing_dossier()
    payment = services.payment_start(dossier=dossier, method="vietqr")
    assert bank_notify(payment, transaction_id="FT1").status_code == 200
    before = snapshot(dossier)
    assert bank_notify(payment, transaction_id="FT1").status_code == 200  # a retry: nothing new
    assert snapshot(dossier) == before
    assert bank_notify(payment, transaction_id="FT2").status_code == 200  # a second transfer
    assert overpayments().get().reason == "duplicate"
    assert Payment.objects.get().status == PaymentStatus.PAID
