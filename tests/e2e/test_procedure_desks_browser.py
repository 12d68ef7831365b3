"""The procedure page on a phone: where to hand the dossier in, a hotline to call, the blank form
to download, and English names in the English UI (Debian's Chromium via Playwright)."""

import os

import pytest

from demo.seed import DEMO_CATALOGUE, _seed_blank_forms
from procedures.catalogue_io import import_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue():
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    _seed_blank_forms()


def test_birth_registration_on_a_phone_in_english(live_server, page, catalogue):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Birth registration"
    desks = page.locator("#desks")
    assert "People's Committee of Trung Tâm Ward" in desks.inner_text()
    call = desks.get_by_role("link", name="0203 3830 200")
    assert call.get_attribute("href") == "tel:02033830200"
    assert call.bounding_box()["height"] >= 44  # a thumb-sized target on a phone
    steps = page.locator("#steps").inner_text()
    assert "Reception" in steps and "Approval and signature" in steps
    with page.expect_download() as download:
        page.locator("#documents").get_by_role("link", name="Download form").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    # No sideways scrolling at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "procedure-390.png"), full_page=True)
