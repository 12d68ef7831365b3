"""Payments end to end on the server: sandbox gateway, IPN, forged and racing callbacks, VietQR,
bank webhook, receipt, refund."""

import hashlib
import hmac
import json
import shutil
import subprocess
import threading
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connections
from django.test import Client

from dossiers import services as dossier_services
from dossiers.models import Dossier
from payments import services, vnpay
from payments.constants import PaymentStatus
from payments.models import Payment, PaymentEvent, Receipt
from procedures.models import FeeRule
from tests.conftest import _need
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft, receive_data
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


def fee_bearing_dossier():
    version = birth_procedure()
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    return citizen, dossier_services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)


def pay_in_sandbox(client, dossier, outcome="pay"):
    gateway = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "sandbox"})
    assert gateway.status_code == 302 and "/thanh-toan/thu-nghiem/" in gateway["Location"]
    page = client.get(gateway["Location"])
    assert page.status_code == 200
    params = {k: v[0] for k, v in parse_qs(urlparse(gateway["Location"]).query).items()}
    return client.post("/thanh-toan/thu-nghiem/", {**params, "outcome": outcome})


def test_fee_is_the_online_amount_and_sandbox_payment_confirms_and_issues_a_receipt(
    client, django_capture_on_commit_callbacks
):
    citizen, dossier = fee_bearing_dossier()
    assert dossier.fee_due == 10000  # cheaper online
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        back = pay_in_sandbox(client, dossier)
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PAID and payment.amount == 10000
    returned = client.get(back["Location"])
    assert returned.status_code == 200 and "receipt-download" in returned.content.decode()
    receipt = Receipt.objects.get()
    assert receipt.number.startswith("BL")
    _need(shutil.which("pdftotext") is not None, "needs poppler-utils (pdftotext)")
    pdf = client.get(f"/thanh-toan/{payment.reference}/bien-lai.pdf")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=b"".join(pdf.streaming_content), capture_output=True, check=True
    ).stdout.decode()
    assert "Mười nghìn đồng" in text and dossier.code in text and receipt.number in text
    # A second payment of a paid dossier is refused.
    again = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "vietqr"}, follow=True)
    assert Payment.objects.count() == 1 and again.status_code == 200


def test_failed_and_late_payments_change_nothing_on_the_dossier(client):
    citizen, dossier = fee_bearing_dossier()
    client.force_login(citizen)
    pay_in_sandbox(client, dossier, outcome="fail")
    assert Payment.objects.get().status == PaymentStatus.FAILED
    pay_in_sandbox(client, dossier, outcome="late")
    assert Payment.objects.order_by("-pk").first().status == PaymentStatus.EXPIRED
    assert not Payment.objects.filter(status=PaymentStatus.PAID).exists()


def signed(params):
    return {**params, "vnp_SecureHash": vnpay.sign(params, "sandbox-secret-not-for-production")}


def ipn(client, payment, **overrides):
    params = {
        "vnp_TxnRef": payment.reference,
        "vnp_Amount": str(payment.amount * 100),
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "14000001",
        "vnp_TmnCode": "MOTCUA01",
    }
    params.update(overrides)
    return client.get("/thanh-toan/vnpay/ipn/", signed(params)).json()


def test_ipn_forged_tampered_replayed(client):
    _, dossier = fee_bearing_dossier()
    payment = services.payment_start(dossier=dossier, method="vnpay")
    forged = {
        "vnp_TxnRef": payment.reference,
        "vnp_Amount": "1000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_SecureHash": "00" * 64,
    }
    assert client.get("/thanh-toan/vnpay/ipn/", forged).json()["RspCode"] == "97"
    assert client.get("/thanh-toan/vnpay/ipn/", {"vnp_TxnRef": payment.reference}).json()["RspCode"] == "97"
    assert ipn(client, payment, vnp_Amount="100")["RspCode"] == "04"  # signed, but not the amount owed
    assert ipn(client, payment, vnp_TxnRef="MCNOSUCHREF000")["RspCode"] == "01"
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert ipn(client, payment)["RspCode"] == "00"
    assert ipn(client, payment)["RspCode"] == "02"  # replayed: already confirmed
    assert PaymentEvent.objects.filter(kind="paid").count() == 1


def test_return_url_alone_never_confirms(client):
    _, dossier = fee_bearing_dossier()
    payment = services.payment_start(dossier=dossier, method="vnpay")
    params = signed(
        {
            "vnp_TxnRef": payment.reference,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": "00",
        }
    )
    assert client.get("/thanh-toan/vnpay/tra-ve/", params).status_code == 200
    assert Payment.objects.get().status == PaymentStatus.PENDING
    tampered = {**params, "vnp_Amount": "1"}
    assert client.get("/thanh-toan/vnpay/tra-ve/", tampered).status_code == 400


def test_officer_request_for_payment_then_bank_transfer_moves_the_dossier_on(client, settings):
    from dossiers.actions import dossier_act
    from portal.models import AgencyMembership

    citizen, dossier = fee_bearing_dossier()
    desk, specialist = CitizenFactory(), CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    AgencyMembership.objects.create(user=specialist, agency=dossier.competent_agency, role="specialist")
    dossier_act(dossier=dossier, name="receive", actor=desk, data=receive_data(dossier))
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="assign", actor=desk, data={"specialist": specialist.pk}
    )
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="request_payment", actor=specialist, data={"amount": 50000}
    )
    client.force_login(citizen)
    qr_page = client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "vietqr"}, follow=True)
    payment = Payment.objects.get()
    assert payment.reference in qr_page.content.decode() and "<svg" in qr_page.content.decode()
    body = json.dumps({"reference": payment.reference, "amount": 50000, "transaction_id": "FT123"}).encode()
    unsigned = Client().post("/thanh-toan/ngan-hang/thong-bao/", body, content_type="application/json")
    assert unsigned.status_code == 400
    signature = hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    ok = Client().post(
        "/thanh-toan/ngan-hang/thong-bao/", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert ok.status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).status == "in_processing"  # the specialist's again
    # The same notification again: one payment, no error.
    assert (
        Client()
        .post("/thanh-toan/ngan-hang/thong-bao/", body, content_type="application/json", HTTP_X_SIGNATURE=signature)
        .status_code
        == 200
    )
    # No QR for a dossier already paid.
    assert client.post(f"/ho-so/{dossier.code}/thanh-toan/", {"method": "vietqr"}).status_code == 302
    assert Payment.objects.count() == 1


def test_refund_and_callbacks_after_it_are_ignored():
    citizen, dossier = fee_bearing_dossier()
    payment = services.payment_start(dossier=dossier, method="vnpay")
    services.payment_confirm(reference=payment.reference, amount=payment.amount, gateway_transaction="1", source="ipn")
    refunded = services.payment_refund(payment=payment, amount=4000, actor=None, reason="Hồ sơ bị từ chối")
    assert (refunded.status, refunded.refunded_amount) == (PaymentStatus.REFUNDED, 4000)
    with pytest.raises(services.CallbackRejected):
        services.payment_confirm(
            reference=payment.reference, amount=payment.amount, gateway_transaction="2", source="ipn"
        )
    assert PaymentEvent.objects.filter(kind="callback_ignored").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_return_and_ipn_racing_give_one_payment():
    _, dossier = fee_bearing_dossier()
    payment = services.payment_start(dossier=dossier, method="vnpay")
    barrier, results, errors = threading.Barrier(4), [], []

    def confirm():
        barrier.wait()
        try:
            results.append(
                services.payment_confirm(
                    reference=payment.reference, amount=payment.amount, gateway_transaction="race", source="ipn"
                ).status
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == ["paid"] * 4
    assert PaymentEvent.objects.filter(kind="paid").count() == 1
    assert Receipt.objects.count() <= 1


def test_desk_records_a_counter_payment_and_the_daily_report_lists_it(client):
    import csv
    import io

    from portal.models import AgencyMembership

    citizen, dossier = fee_bearing_dossier()
    desk = CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    client.force_login(citizen)
    assert client.post(f"/can-bo/thu-phi/{dossier.code}/").status_code == 404  # not staff
    staff_login(client, desk)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert 'id="record-payment"' in page.content.decode()
    client.post(f"/can-bo/thu-phi/{dossier.code}/")
    payment = Payment.objects.get()
    assert (payment.status, payment.method) == (PaymentStatus.PAID, "counter")
    assert PaymentEvent.objects.get(kind="paid").actor == desk
    report = client.get("/can-bo/bao-cao-thu/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã thanh toán" and rows[1][0] == payment.reference
    assert ["Tổng đã thu", "10000"] in rows
    bad_date = client.get("/can-bo/bao-cao-thu/", {"date": "hôm qua"})
    assert bad_date.status_code == 400
    assert 'class="site-header"' in bad_date.content.decode()  # the portal's 400 page, with the reason
    assert client.get("/can-bo/bao-cao-thu/", {"format": "xlsx"}).status_code == 200


def test_quantities_in_the_wizard_price_tiered_fees(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dossiers.factories import PDF_BYTES

    version = birth_procedure()
    FeeRule.objects.bulk_create(
        [
            FeeRule(
                version=version,
                name="Phí chứng thực",
                unit="page",
                amount=2000,
                tier_after=2,
                tier_amount=1000,
                cap=200000,
            )
        ]
    )
    citizen = CitizenFactory()
    client.force_login(citizen)
    draft_url = client.get(f"/thu-tuc/{version.procedure.code}/nop/")["Location"]
    fee = version.fees.get()
    assert f'name="qty-{fee.pk}"' in client.get(draft_url).content.decode()
    data = {
        "a-applicant_name": "A",
        "a-applicant_id_number": citizen.personal_id,
        "a-applicant_phone": citizen.phone,
        "a-applicant_email": citizen.email,
        "a-applicant_address": "Số 1",
        "f-child_name": "Bé",
        "f-child_dob": "2026-11-01",
        "d-delivery": "online",
        "action": "review",
        f"qty-{fee.pk}": "5",
    }
    for doc in version.documents.filter(required=True):
        data[f"files-{doc.pk}"] = SimpleUploadedFile("a.pdf", PDF_BYTES)
    review = client.post(draft_url, data)
    assert client.get(review["Location"]).context["fee_due"] == 2 * 2000 + 3 * 1000
    client.post(review["Location"])
    dossier = Dossier.objects.get()
    assert dossier.fee_due == 7000 and dossier.fee_quantities == {str(fee.pk): 5}
    payment = services.payment_start(dossier=dossier, method="vietqr")
    assert payment.items == [{"name": "Phí chứng thực", "quantity": 5, "unit_price": 2000, "amount": 7000}]


def test_officer_waives_the_fee_and_agency_settings_limit_the_methods(client):
    from payments.models import AgencyPaymentSettings
    from portal.models import AgencyMembership

    citizen, dossier = fee_bearing_dossier()
    AgencyPaymentSettings.objects.create(agency=dossier.receiving_agency, online_gateway=False)
    with pytest.raises(services.ValidationError):
        services.payment_start(dossier=dossier, method="vnpay")
    assert services.payment_start(dossier=dossier, method="vietqr").status == PaymentStatus.PENDING
    desk = CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    staff_login(client, desk)
    client.post(f"/can-bo/mien-phi/{dossier.code}/", {"ground": ""})
    assert Dossier.objects.get(pk=dossier.pk).fee_due == 10000  # no ground: nothing changed
    client.post(f"/can-bo/mien-phi/{dossier.code}/", {"ground": "poor_household", "note": "Sổ hộ nghèo 2026"})
    dossier.refresh_from_db()
    assert dossier.fee_due == 0
    assert dossier.events.filter(kind="fee_exempted", actor=desk).exists()
    with pytest.raises(services.ValidationError):
        services.payment_start(dossier=dossier, method="vietqr")


def test_daily_payments_report_csv_xlsx_formula_injection_is_neutralised(client):
    import csv
    import io

    from openpyxl import load_workbook

    from portal.models import AgencyMembership

    formula = '=HYPERLINK("http://x","y")'
    citizen, dossier = fee_bearing_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name=formula)
    desk = CitizenFactory()
    AgencyMembership.objects.create(user=desk, agency=dossier.receiving_agency, role="receptionist")
    staff_login(client, desk)
    client.post(f"/can-bo/thu-phi/{dossier.code}/")
    rows = list(
        csv.reader(io.StringIO(client.get("/can-bo/bao-cao-thu/", {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert rows[1][2] == "'" + formula
    sheet = load_workbook(io.BytesIO(client.get("/can-bo/bao-cao-thu/", {"format": "xlsx"}).content)).active
    name, amount = sheet.cell(row=3, column=3), sheet.cell(row=3, column=6)
    assert name.data_type == "s" and name.value == "'" + formula
    assert amount.data_type == "n" and amount.value == 10000
