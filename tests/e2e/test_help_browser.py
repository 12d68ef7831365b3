"""The help pages fit a phone (390 px): no sideways scrolling, the role list stacked."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_help_pages_fit_a_phone(live_server, page):
    page.set_viewport_size(PHONE)
    for path in (
        "/huong-dan/",
        "/huong-dan/mot-cua/",
        "/huong-dan/chuyen-vien/",
        "/huong-dan/lanh-dao/",
        "/huong-dan/quan-tri/",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        links = page.locator(".help-others li")
        assert links.count() == 5
        assert links.nth(1).bounding_box()["y"] > links.nth(0).bounding_box()["y"]  # one under the other
