"""The hall display in a real browser: a ticket called at a counter appears without a reload,
is announced in the live region, and the kiosk prints a ticket."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def test_the_display_shows_a_called_number_without_reload(live_server, page, office, settings, tmp_path):
    from tests.second_factor import staff_login
    from tests.tickets.factories import desk_queues
    from tickets import services

    settings.TICKET_DISPLAY_POLL_SECONDS = 1
    queues = desk_queues(office["agency"])
    services.ticket_issue(group=queues["a"])
    services.ticket_issue(group=queues["a"])
    page.set_viewport_size(DESKTOP)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/quay/man-hinh/{office['agency'].code}/")
    expect(page.locator("#hall-calls")).to_contain_text("No ticket called yet")
    page.evaluate("window.__notReloaded = true")
    page.click("#hall-sound")  # the chime needs a click once (autoplay policy)
    expect(page.locator("#hall-sound")).to_have_attribute("aria-pressed", "true")

    # An officer calls from the caller page in another tab.
    from django.test import Client

    client = staff_login(Client(), office["desk"])
    caller = page.context.new_page()
    caller.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    caller.goto(f"{live_server.url}/can-bo/goi-so/?counter={queues['two'].pk}")
    caller.click("#caller-next")
    expect(caller.locator("#caller-current")).to_have_text("A-001")
    caller.screenshot(path=str(tmp_path / "caller.png"), full_page=True)
    # The officer's "Counter" menu holds intake, the caller and the appointments of the day.
    caller.click("#menu-counter > summary")
    for href in ("/can-bo/tiep-nhan/", "/can-bo/goi-so/", "/can-bo/lich-hen/"):
        expect(caller.locator(f"#menu-counter a[href='{href}']")).to_be_visible()

    row = page.locator("#hall-calls tr").first
    expect(row).to_contain_text("A-001", timeout=10_000)
    expect(row).to_contain_text("Counter 2")
    expect(page.locator("#hall-announce")).to_have_text("Ticket A-001, please go to Counter 2.")
    expect(page.locator("#hall-waiting")).to_contain_text("1")
    assert int(page.locator("#hall-display").get_attribute("data-chimes")) >= 2  # the click and the call
    # Called again through the service: on top again and announced again.
    ticket = services.ticket_call_next(officer=office["desk"], counter=queues["three"])
    assert ticket is None  # counter 3 serves B only
    second = services.ticket_call_next(officer=office["desk"], counter=queues["one"])
    expect(page.locator("#hall-calls tr").first).to_contain_text(second.label, timeout=10_000)
    expect(page.locator("#hall-announce")).to_have_text(re.compile(r"A-002.*Counter 1"))
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(tmp_path / "display.png"), full_page=True)


def test_the_kiosk_gives_a_ticket_that_prints(live_server, page, office, tmp_path):
    from tests.tickets.factories import desk_queues

    desk_queues(office["agency"])
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/quay/lay-so/{office['agency'].code}/")
    page.screenshot(path=str(tmp_path / "kiosk.png"), full_page=True)
    page.click("button[name=group][value=dat-dai]")
    page.wait_for_url(re.compile(r"/ve/"))
    expect(page.locator("#ticket")).to_have_attribute("data-number", "B-001")
    expect(page.locator("#ticket-ahead")).to_have_text("0 people ahead of you")
    page.screenshot(path=str(tmp_path / "ticket.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("#ticket-print").is_visible()
    expect(page.locator(".ticket-slip__number")).to_be_visible()
