"""A citizen pays a fee-bearing dossier in the sandbox gateway and downloads the receipt."""

import re

import pytest
from playwright.sync_api import expect

from demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_in_the_sandbox_and_get_the_receipt(live_server, page, settings):
    settings.PORTAL_BASE_URL = live_server.url
    seed_demo()
    from dossiers.models import Dossier

    awaiting = Dossier.objects.get(status="awaiting_payment")  # the demo's fee request: 8,000 đ
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", DEMO_ACCOUNTS[0][0])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form[action$='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    page.goto(f"{live_server.url}/ho-so/{awaiting.code}/")
    page.click("#pay-sandbox")
    page.wait_for_url(re.compile(r"/thanh-toan/thu-nghiem/"))
    assert "8.000 đ" in page.locator("#sandbox-amount").inner_text()
    page.click("#sandbox-pay")
    page.wait_for_url(re.compile(r"/thanh-toan/vnpay/tra-ve/"))
    receipt = page.request.get(live_server.url + page.locator("#receipt-download").get_attribute("href"))
    assert receipt.ok and receipt.body().startswith(b"%PDF")
    awaiting.refresh_from_db()
    assert awaiting.status == "in_processing"  # the dossier moved on as soon as the payment was confirmed


PHONE = {"width": 390, "height": 844}


def _bank_notifies(live_server, payment) -> None:
    """The bank's transfer notification, over HTTP to the real webhook, signed like the bank does."""
    import hashlib
    import hmac
    import json
    import urllib.request

    from django.conf import settings

    body = json.dumps({"reference": payment.reference, "amount": payment.amount, "transaction_id": "FT-E2E-1"}).encode()
    signature = hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        live_server.url + "/thanh-toan/ngan-hang/thong-bao/",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": signature},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the test's own server
        assert answer.status == 200


def test_vietqr_on_a_phone_copies_and_moves_on_by_itself_when_the_bank_confirms(live_server, page, settings):
    settings.PORTAL_BASE_URL = live_server.url
    seed_demo()
    from dossiers.models import Dossier
    from payments.models import Payment

    awaiting = Dossier.objects.get(status="awaiting_payment")
    problems = []  # CSP violations and script errors of vietqr.js / fees.js
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error} at {page.url} {error.stack}"))
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", DEMO_ACCOUNTS[0][0])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form[action$='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    page.goto(f"{live_server.url}/ho-so/{awaiting.code}/")
    page.click("#pay-vietqr")
    page.wait_for_url(re.compile(r"/vietqr/$"))
    payment = Payment.objects.get(dossier=awaiting, method="vietqr")

    assert page.locator("#vietqr-bank").inner_text() == "Vietcombank"  # settings' BIN 970436
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Copy the amount: digits only in the clipboard, and a visible status.
    page.locator("button[data-copy-source=vietqr-amount]").click()
    expect(page.locator("#vietqr-copy-status")).to_contain_text(str(payment.amount))
    assert page.evaluate("navigator.clipboard.readText()") == str(payment.amount)
    page.locator("button[data-copy-source=vietqr-reference]").click()
    expect(page.locator("#vietqr-copy-status")).to_contain_text(payment.reference)
    assert page.evaluate("navigator.clipboard.readText()") == payment.reference
    # Without the clipboard API (an old browser, plain http): the value is selected to copy by hand.
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})")
    page.locator("button[data-copy-source=vietqr-account]").click()
    expect(page.locator("#vietqr-copy-status")).to_have_text(
        page.locator("#vietqr").get_attribute("data-msg-copy-failed")
    )
    assert page.evaluate("window.getSelection().toString()") == page.locator("#vietqr-account").inner_text()
    # Save QR image: a PNG download of the same code.
    with page.expect_download() as download:
        page.click("#vietqr-save")
    assert download.value.suggested_filename == f"VietQR-{payment.reference}.png"

    _bank_notifies(live_server, payment)
    page.wait_for_selector("#vietqr-status[data-state=paid]", timeout=30_000)
    page.wait_for_url(f"{live_server.url}/ho-so/{awaiting.code}/", timeout=15_000)
    awaiting.refresh_from_db()
    assert awaiting.status == "in_processing"
    assert problems == []
