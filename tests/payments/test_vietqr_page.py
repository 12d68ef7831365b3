"""The VietQR page on a phone: bank name, copy values, the QR as a PNG, and the JSON status the
page polls (payments.views.vietqr_status / vietqr_png)."""

import hashlib
import hmac
import json
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dossiers import services as dossier_services
from payments import services
from payments.constants import PaymentStatus
from payments.models import Payment
from payments.vietqr import NAPAS_BANKS, bank_name
from procedures.models import FeeRule
from tests.conftest import _need
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def vietqr_payment():
    version = birth_procedure()
    FeeRule.objects.bulk_create([FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000)])
    citizen = CitizenFactory()
    dossier = dossier_services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    return services.payment_start(dossier=dossier, method="vietqr", actor=citizen)


def status_url(payment):
    return f"/thanh-toan/{payment.reference}/vietqr/trang-thai/"


def bank_confirms(payment):
    body = json.dumps({"reference": payment.reference, "amount": payment.amount, "transaction_id": "FT1"}).encode()
    from django.conf import settings

    signature = hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = Client().post(
        "/thanh-toan/ngan-hang/thong-bao/", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert answer.status_code == 200


def test_bank_names_of_the_napas_bins():
    assert bank_name("970436") == "Vietcombank"
    assert bank_name("970415") == "VietinBank"
    assert bank_name("970418") == "BIDV"
    assert bank_name("970405") == "Agribank"
    assert bank_name("123456") == ""
    assert all(len(b) == 6 and b.startswith("970") for b in NAPAS_BANKS)


def test_page_shows_the_bank_copy_buttons_save_link_and_polling_data(client, vietqr_payment, settings):
    settings.VIETQR_BANK_BIN = "970418"
    client.force_login(vietqr_payment.dossier.applicant)
    page = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="vietqr-bank">BIDV<' in html
    assert f'data-copy-value="{settings.VIETQR_ACCOUNT}"' in html
    assert f'data-copy-value="{vietqr_payment.amount}"' in html  # digits only, not "10.000 đ"
    assert f'data-copy-value="{vietqr_payment.reference}"' in html
    assert f'data-status-url="{status_url(vietqr_payment)}"' in html
    assert f'data-next-url="/ho-so/{vietqr_payment.dossier.code}/"' in html
    assert f'href="/thanh-toan/{vietqr_payment.reference}/vietqr.png"' in html
    assert 'src="/static/js/vietqr.js"' in html and "<script>" not in html
    assert 'id="vietqr-check"' in html and "aria-live" in html


def test_unknown_bin_shows_the_bin(client, vietqr_payment, settings):
    settings.VIETQR_BANK_BIN = "970999"
    client.force_login(vietqr_payment.dossier.applicant)
    html = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/").content.decode()
    assert "970999" in html


def test_check_now_without_javascript(client, vietqr_payment):
    client.force_login(vietqr_payment.dossier.applicant)
    not_yet = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/?checked=1", HTTP_ACCEPT_LANGUAGE="en")
    assert not_yet.status_code == 200 and 'id="vietqr-not-yet"' in not_yet.content.decode()
    bank_confirms(vietqr_payment)
    paid = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/?checked=1", HTTP_ACCEPT_LANGUAGE="en")
    assert paid.status_code == 302 and paid["Location"] == f"/ho-so/{vietqr_payment.dossier.code}/"
    landed = client.get(paid["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Payment received" in landed.content.decode()


def test_status_pending_then_paid(client, vietqr_payment):
    client.force_login(vietqr_payment.dossier.applicant)
    answer = client.get(status_url(vietqr_payment))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert "no-store" in answer["Cache-Control"]
    assert answer.json() == {"status": "pending", "next": f"/ho-so/{vietqr_payment.dossier.code}/"}
    bank_confirms(vietqr_payment)
    assert client.get(status_url(vietqr_payment)).json()["status"] == "paid"


def test_status_expired_when_the_deadline_passed_before_the_task_ran(client, vietqr_payment):
    Payment.objects.filter(pk=vietqr_payment.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(vietqr_payment.dossier.applicant)
    assert client.get(status_url(vietqr_payment)).json()["status"] == "expired"
    page = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/")  # no QR that can no longer be paid
    assert page.status_code == 302 and page["Location"] == f"/ho-so/{vietqr_payment.dossier.code}/"
    services.payments_expire_overdue()
    assert Payment.objects.get(pk=vietqr_payment.pk).status == PaymentStatus.EXPIRED
    assert client.get(status_url(vietqr_payment)).json()["status"] == "expired"


def test_status_is_only_for_the_applicant(client, vietqr_payment, office):
    anonymous = client.get(status_url(vietqr_payment))
    assert anonymous.status_code == 401 and anonymous.json() == {"error": "authentication required"}
    client.force_login(CitizenFactory())
    assert client.get(status_url(vietqr_payment)).status_code == 404
    from tests.second_factor import staff_login

    staff_login(client, office["desk"])
    assert client.get(status_url(vietqr_payment)).status_code == 404
    client.force_login(vietqr_payment.dossier.applicant)
    assert client.get("/thanh-toan/MCNOSUCHREF/vietqr/trang-thai/").status_code == 404


def test_status_of_a_gateway_payment_is_not_found(client, vietqr_payment):
    dossier = vietqr_payment.dossier
    sandbox = services.payment_start(dossier=dossier, method="sandbox")
    client.force_login(dossier.applicant)
    assert client.get(status_url(sandbox)).status_code == 404


def test_qr_png_decodes_to_the_page_payload(client, vietqr_payment, tmp_path):
    client.force_login(vietqr_payment.dossier.applicant)
    page = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr/")
    image = client.get(f"/thanh-toan/{vietqr_payment.reference}/vietqr.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert f'filename="VietQR-{vietqr_payment.reference}.png"' in image["Content-Disposition"]
    _need(shutil.which("zbarimg") is not None, "zbarimg (zbar-tools) is not installed")
    png = tmp_path / "saved.png"
    png.write_bytes(image.content)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == page.context["payload"]


def test_qr_png_is_only_for_the_applicant_and_only_while_pending(client, vietqr_payment):
    url = f"/thanh-toan/{vietqr_payment.reference}/vietqr.png"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404
    client.force_login(vietqr_payment.dossier.applicant)
    bank_confirms(vietqr_payment)
    assert client.get(url).status_code == 404
