"""Messages on a dossier in the real browser at 390 px: the citizen writes from their dossier page,
the desk officer sees the unread count in the queue and the message on the desk.
SCREENSHOTS=<dir> keeps the pages as PNG files."""

import os

import pytest

from tests.e2e.test_officer_flow import CITIZEN, RECEPTIONIST, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    if folder := os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_the_citizen_sends_a_message_and_the_desk_sees_it(live_server, page):
    from demo.seed import seed_demo
    from dossiers.models import Dossier, DossierMessage

    seed_demo(demo_second_factor=True)
    dossier = Dossier.objects.get(status="submitted", procedure_version__procedure__code="1.004884")
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, live_server, CITIZEN)
    page.goto(live_server.url + f"/ho-so/{dossier.code}/")
    page.locator("#id_message_body").fill("Cho tôi hỏi cần mang bản gốc giấy tờ nào khi nhận kết quả?")
    with page.expect_navigation():
        page.locator("#messages button[type=submit]").click()
    assert DossierMessage.objects.filter(dossier=dossier, from_applicant=True).count() == 1
    assert "Cho tôi hỏi cần mang bản gốc" in page.locator("#messages [data-thread]").inner_text()
    _shot(page, "messages-citizen")

    sign_in(page, live_server, RECEPTIONIST)
    page.goto(live_server.url + "/can-bo/ho-so/?view=all")
    badge = page.locator(f"a[href='/can-bo/ho-so/{dossier.code}/#messages'][data-unread-messages]")
    assert badge.get_attribute("data-unread-messages") == "1"
    with page.expect_navigation():
        badge.click()
    assert "Cho tôi hỏi cần mang bản gốc" in page.locator("#messages [data-thread]").inner_text()
    _shot(page, "messages-desk")
    assert DossierMessage.objects.get(dossier=dossier).read_at is not None
    assert not violations, violations
