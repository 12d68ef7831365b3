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


def test_ask_an_officer_from_a_declined_answer_then_the_queue(live_server, page, catalogue, office):
    from assistant.models import CitizenQuestion
    from tests.e2e.test_layout_browser import signed_in

    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/")
    page.locator("#assistant-toggle").click()
    page.locator("#assistant-input").fill("bảo hiểm xã hội một lần")
    page.keyboard.press("Enter")
    ask = page.get_by_role("button", name="Ask an officer")
    ask.click()
    question = page.get_by_label("Your question for an officer")
    assert question.input_value() == "bảo hiểm xã hội một lần"
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    errors.clear()
    page.get_by_role("button", name="Send to an officer").click()
    status = page.locator(".assistant__officer [role='status']")
    status.wait_for()
    page.wait_for_function("document.querySelector('.assistant__officer [role=status]').textContent.length > 0")
    assert "email" in status.inner_text().lower()  # no way to answer yet: refused, nothing stored
    assert not CitizenQuestion.objects.exists()
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    errors.clear()
    page.get_by_label("Email for the answer").fill("an@example.vn")
    page.get_by_role("button", name="Send to an officer").click()
    page.get_by_text("Your question is with the officers").wait_for()
    page.screenshot(path="/tmp/assistant-ask-officer-390.png")
    stored = CitizenQuestion.objects.get()
    assert stored.contact_email == "an@example.vn" and stored.turn_id is not None

    signed_in(page, live_server, office["desk"], staff=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/can-bo/cau-hoi/")
    page.get_by_role("heading", name="bảo hiểm xã hội một lần").wait_for()
    page.screenshot(path="/tmp/assistant-queue.png", full_page=True)
    assert not errors, errors


def test_stats_page_draws_its_chart(live_server, page, catalogue, office):
    from assistant.services import ask
    from tests.e2e.test_layout_browser import signed_in

    for text in ["bảo hiểm xã hội một lần", "bảo hiểm xã hội một lần", "lam passport"]:
        ask(message=text)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    signed_in(page, live_server, office["leader"], staff=True)
    page.goto(live_server.url + "/can-bo/cau-hoi/thong-ke/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-top'))")
    page.screenshot(path="/tmp/assistant-stats.png", full_page=True)
    assert page.locator("#top-table tbody tr").count() == 2
    assert not errors, errors
