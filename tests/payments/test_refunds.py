"""Refunds from the officer's dossier page: part or all of a paid fee (payment_refund) and an
over-payment (overpayment_refund), by the one-stop desk or a leader only, under one rule
(payments.services.refund_allowed)."""

import pytest

from payments import services
from payments.constants import OverpaymentStatus, PaymentStatus
from payments.models import Overpayment, Payment, PaymentEvent
from procedures.models import FeeRule
from tests.dossiers.factories import DossierFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(office):
    """A dossier in the specialist's hands whose 10 000 đ online fee was paid by card."""
    # bulk_create, as the other payment tests do: the published version's fees are otherwise frozen.
    FeeRule.objects.bulk_create([FeeRule(version=office["version"], name="Lệ phí", amount=20000, online_amount=10000)])
    dossier = DossierFactory(
        state="in_processing", applicant=office["citizen"], version=office["version"], people=office
    )
    payment = services.payment_start(dossier=dossier, method="vnpay")
    services.payment_confirm(reference=payment.reference, amount=payment.amount, gateway_transaction="1", source="ipn")
    return dossier, Payment.objects.get(pk=payment.pk)


def refund(client, payment, **data):
    return client.post(f"/can-bo/hoan-phi/{payment.reference}/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("who", ["desk", "leader"])
def test_the_desk_or_a_leader_refunds_part_of_a_paid_fee_from_the_dossier_page(client, office, paid, who):
    dossier, payment = paid
    staff_login(client, office[who])
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f'action="/can-bo/hoan-phi/{payment.reference}/"' in page
    response = refund(client, payment, amount="4000", reason="Hồ sơ bị từ chối")
    assert response.status_code == 200 and "The refund was recorded." in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 4000)
    event = PaymentEvent.objects.get(payment=payment, kind="refunded")
    assert event.actor == office[who] and event.data == {"amount": 4000, "reason": "Hồ sơ bị từ chối"}


def test_a_specialist_cannot_refund_and_another_agency_does_not_see_the_payment(client, office, paid):
    dossier, payment = paid
    staff_login(client, office["specialist"])
    assert f"/can-bo/hoan-phi/{payment.reference}/" not in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    response = refund(client, payment, amount="4000", reason="Không được")
    assert "Only the one-stop desk or a leader of the agency refunds money." in response.content.decode()
    staff_login(client, office["stranger"])
    assert refund(client, payment, amount="4000", reason="Không được").status_code == 404
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PAID, 0)


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("mười nghìn", "Lý do", "Give the amount to refund as a whole number of đồng."),
        ("0", "Lý do", "The refund must be between 1 đồng and the amount paid."),
        ("10001", "Lý do", "The refund must be between 1 đồng and the amount paid."),
        ("4000", "  ", "Give the reason for the refund."),
    ],
)
def test_a_wrong_refund_is_explained_and_changes_nothing(client, office, paid, amount, reason, message):
    dossier, payment = paid
    staff_login(client, office["desk"])
    response = refund(client, payment, amount=amount, reason=reason)
    assert response.status_code == 200 and message in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PAID, 0)
    assert not PaymentEvent.objects.filter(kind="refunded").exists()


def test_the_desk_marks_an_over_payment_refunded_from_the_dossier_page(client, office, paid):
    dossier, payment = paid
    # The same reference paid a second time by transfer: kept as an over-payment.
    services.payment_confirm(
        reference=payment.reference, amount=payment.amount, gateway_transaction="FT2", source="bank"
    )
    over = Overpayment.objects.get(dossier=dossier)
    staff_login(client, office["specialist"])
    client.post(f"/can-bo/hoan-tien-thua/{over.pk}/", {"note": "x"})
    assert Overpayment.objects.get(pk=over.pk).status == OverpaymentStatus.TO_REFUND
    staff_login(client, office["desk"])
    response = client.post(
        f"/can-bo/hoan-tien-thua/{over.pk}/", {"note": "Trả tiền mặt"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The over-payment was marked as refunded." in response.content.decode()
    over.refresh_from_db()
    assert (over.status, over.refunded_by) == (OverpaymentStatus.REFUNDED, office["desk"])
    assert f"/can-bo/hoan-tien-thua/{over.pk}/" not in response.content.decode()  # nothing left to refund
