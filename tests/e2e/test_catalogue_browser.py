"""A citizen finds a procedure in the real browser (Debian's Chromium via Playwright)."""

import re

import pytest

from demo.seed import DEMO_CATALOGUE
from procedures.catalogue_io import import_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


def test_search_open_procedure_and_see_fees(live_server, page, catalogue):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    search = page.get_by_role("searchbox").or_(page.get_by_role("textbox")).first
    search.fill("khai sinh")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/thu-tuc/\?.*q=khai"))
    first = page.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    first.click()
    page.wait_for_url(re.compile(r"/thu-tuc/1\.001193/"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Đăng ký khai sinh"
    fees = page.locator("#fees, [id*=fee]").first.inner_text()
    assert "Lệ phí đăng ký khai sinh đúng hạn" in fees and "Miễn phí" in fees


def test_tiered_fee_is_described(live_server, page, catalogue):
    page.goto(live_server.url + "/thu-tuc/2.000815/")
    text = page.locator("main").inner_text()
    assert "2.000 đ" in text and "1.000 đ" in text and "200.000 đ" in text


def test_keyboard_user_can_skip_to_content(live_server, page, catalogue):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
