"""The assistant's panel in the real browser: keyboard, the log, a follow-up, at 390 px."""

import pytest

from demo.seed import DEMO_CATALOGUE
from procedures.catalogue_io import import_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    from django.core.cache import cache

    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


def test_ask_and_follow_up_on_a_phone(live_server, page, catalogue):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Hỏi đáp").or_(page.locator("#assistant-toggle")).first
    toggle.focus()
    page.keyboard.press("Enter")
    field = page.locator("#assistant-input")
    assert page.evaluate("document.activeElement.id") == "assistant-input"
    field.fill("lam passport")
    page.keyboard.press("Enter")
    log = page.get_by_role("log")
    link = log.locator("a[href='/thu-tuc/2.002136/']")
    link.wait_for()
    assert link.inner_text() == "Cấp hộ chiếu phổ thông trong nước"
    field.fill("lệ phí bao nhiêu?")
    page.keyboard.press("Enter")
    log.locator(".assistant__msg--bot").nth(2).wait_for()
    page.screenshot(path="/tmp/assistant-390.png")
    thumb = log.locator(".assistant__msg--bot").nth(2).locator(".assistant__thumb").first  # helpful
    thumb.click()
    page.locator(".assistant__thumb[aria-pressed='true']").wait_for()
    from assistant.models import AssistantTurn

    assert AssistantTurn.objects.filter(thumbs_up=True).count() == 1
    assert log.locator("a[href='/thu-tuc/2.002136/']").count() == 2
    page.keyboard.press("Escape")
    assert page.locator("#assistant-panel").is_hidden()
    assert not errors, errors
