"""The leaders' dashboard in the real browser: the charts draw on their canvases."""

import pytest

from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_its_charts(page, live_server):
    from demo.seed import seed_demo

    seed_demo(demo_second_factor=True)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill("lanhdao@demo.motcua.vn")
    page.locator("#id_password").fill("Dich-vu-cong-2026")
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    pass_second_factor(page, "lanhdao@demo.motcua.vn")
    page.goto(live_server.url + "/can-bo/chi-so/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-trend') && Chart.getChart('chart-groups')")
    # Something was painted: the canvas has a size and non-transparent pixels.
    painted = page.evaluate("""() => {
        const c = document.getElementById('chart-trend');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i]) n++;
        return [c.width, n];
    }""")
    assert painted[0] > 100 and painted[1] > 1000
    assert page.locator("#indicator-table tbody tr").count() >= 10  # the text alternative
    page.locator("#ind-ended_on_time td a").first.click()
    page.wait_for_url("**/can-bo/chi-so/ho-so/**")
    assert page.locator("#drill-count").is_visible()
