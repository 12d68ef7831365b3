"""A citizen on a phone books a desk appointment from the procedure page and sees its QR code."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_book_an_appointment_on_a_phone(live_server, page, tmp_path):
    from appointments.models import Appointment, DeskSchedule
    from tests.dossiers.factories import CitizenFactory, birth_procedure

    version = birth_procedure()
    DeskSchedule.objects.create(agency=version.agency, capacity=2)
    citizen = CitizenFactory()
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", citizen.email)
    page.fill("input[name=password]", "Mat-khau-2026")
    page.locator("form[action$='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    page.goto(f"{live_server.url}/thu-tuc/{version.procedure.code}/")
    page.click("#book-appointment")
    page.wait_for_url(re.compile(r"/lich-hen/dat/"))
    expect(page.locator("#checklist")).to_contain_text("Giấy chứng sinh")
    page.locator(".appointment-days a").nth(1).click()  # the second open day: every slot is ahead
    page.locator("input[name=start]:not([disabled])").first.check()
    page.screenshot(path=str(tmp_path / "book.png"), full_page=True)
    page.locator("#appointment-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/lich-hen/LH[0-9A-F]+/"))
    appointment = Appointment.objects.get(citizen=citizen)
    expect(page.locator("#appointment")).to_have_attribute("data-code", appointment.code)
    expect(page.locator("#appointment svg")).to_be_visible()
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
