"""The profile page on a phone (390 px): nothing wider than the screen, every choice reachable.
Screenshots go to $LAYOUT_SHOTS when it is set."""

import pytest

from tests.e2e.test_layout_browser import PHONE, shot, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_profile_fits_a_phone_and_saves_a_choice(live_server, page, office, language):
    signed_in(page, live_server, office["citizen"])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/tai-khoan/thong-tin/")
    shot(page, f"profile-{language}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#pref-supplement-inbox").is_disabled()

    page.locator("#pref-received-email").uncheck()
    page.locator("#save-preferences").click()
    page.wait_for_url("**/tai-khoan/thong-tin/#notifications")
    assert not page.locator("#pref-received-email").is_checked()
    page.set_viewport_size({"width": 390, "height": 2400})
    shot(page, f"profile-{language}-full")
