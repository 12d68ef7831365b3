"""The layout on a phone (390 px) and a desktop (1280 px), and what a dossier page prints, in the
real browser (Debian's Chromium via Playwright). Screenshots go to $LAYOUT_SHOTS when it is set,
to look at them."""

import os
import shutil
import subprocess

import pytest
from django.test import Client

from tests.second_factor import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def signed_in(page, live_server, user, *, staff=False):
    """The browser carries the session of a test client signed in as `user` (past the second
    factor for staff)."""
    client = Client()
    if staff:
        staff_login(client, user)
    else:
        client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page, name):
    folder = os.environ.get("LAYOUT_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def test_phone_header_is_short_and_the_menu_opens_from_its_toggle_by_keyboard(live_server, page, office):
    signed_in(page, live_server, office["desk"], staff=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    shot(page, "phone-closed")

    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 120
    toggle = page.locator("header button[aria-controls=site-menu]")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()

    # Keyboard only: Tab to the toggle (after the skip link, brand and language buttons), Enter.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-menu").is_visible()
    assert page.locator("#site-menu a[href='/can-bo/ho-so/']").is_visible()
    shot(page, "phone-open")
    # Escape closes it and gives the focus back to the toggle.
    page.locator("#site-menu a[href='/can-bo/ho-so/']").focus()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-menu"


def test_without_javascript_the_phone_menu_is_shown(live_server, browser, office):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("#site-menu").is_visible()
    assert not page.locator("header button[aria-controls=site-menu]").is_visible()
    context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_officer_menu_is_one_row_at_1280_px(live_server, page, office, language):
    signed_in(page, live_server, office["desk"], staff=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    shot(page, f"desktop-officer-{language}")
    assert not page.locator("header button[aria-controls=site-menu]").is_visible()
    tops = page.locator("#site-menu > .site-nav__inner > ul > li").evaluate_all(
        "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) >= 9 and len(set(tops)) == 1, tops
    # ... and nothing runs off the right edge.
    right = page.locator("#site-menu > .site-nav__inner > ul > li").evaluate_all(
        "items => Math.max(...items.map(li => li.getBoundingClientRect().right))"
    )
    assert right <= DESKTOP["width"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_a_dossier_page_prints_without_the_menu_on_fewer_pages(live_server, page, submitted, tmp_path):
    signed_in(page, live_server, submitted.applicant)
    page.goto(live_server.url + f"/ho-so/{submitted.code}/")
    pdf = tmp_path / "dossier.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert submitted.code in text
    for menu_item in ("Thủ tục hành chính", "Hồ sơ của tôi", "Kho dữ liệu cá nhân", "Đăng xuất"):
        assert menu_item not in text
    print(f"dossier page printed on {count} page(s)")
    assert count == 1
