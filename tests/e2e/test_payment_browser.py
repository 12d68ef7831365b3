"""A citizen pays a fee-bearing dossier in the sandbox gateway and downloads the receipt."""

import re

import pytest

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
