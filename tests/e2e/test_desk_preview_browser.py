"""At the desk in the real browser, on a phone-sized screen: the reception checklist is ticked box
by box, and a clean PDF opens in the preview panel (an iframe the portal's CSP lets it frame),
closing with Escape back to its link. SCREENSHOTS=<dir> keeps the pages as PNG files."""

import os

import pytest

from tests.e2e.test_officer_flow import RECEPTIONIST, open_desk, sign_in, status_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    if folder := os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_the_desk_ticks_the_checklist_and_previews_a_clean_pdf(live_server, page):
    from demo.seed import seed_demo
    from dossiers.constants import ScanStatus
    from dossiers.models import Attachment, Dossier

    seed_demo(demo_second_factor=True)
    dossier = Dossier.objects.get(status="submitted", procedure_version__procedure__code="1.004884")
    Attachment.objects.filter(dossier=dossier).update(scan_status=ScanStatus.CLEAN)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, live_server, RECEPTIONIST)
    open_desk(page, live_server, dossier.code, "view=to_receive")
    link = page.locator("a[data-preview]").first
    with page.expect_response(lambda r: r.url.endswith("/xem/")) as served:
        link.click()
    assert served.value.status == 200 and served.value.headers["x-frame-options"] == "SAMEORIGIN"
    frame = page.locator("#file-preview iframe")
    assert page.locator("#file-preview").is_visible() and frame.count() == 1
    assert frame.get_attribute("src").endswith("/xem/") and frame.get_attribute("title")
    assert link.get_attribute("aria-expanded") == "true"
    _shot(page, "desk-preview")
    page.keyboard.press("Escape")
    assert page.locator("#file-preview").is_hidden() and link.get_attribute("aria-expanded") == "false"

    # Not ticked: refused, the supplement form opens with the documents proposed.
    with page.expect_navigation():
        page.locator("#action-receive-submit").click()
    assert status_of(dossier.code).status == "submitted"
    assert page.locator("#details-request_supplement[open] textarea[name=items]").input_value().strip()
    _shot(page, "desk-receive-refused")
    for box in page.locator("#action-receive input[name=documents]").all():
        box.check()
    with page.expect_navigation():
        page.locator("#action-receive-submit").click()
    assert status_of(dossier.code).status == "received"
    assert not violations, violations
