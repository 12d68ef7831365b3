"""The strict Content-Security-Policy in the real browser (Debian's Chromium via Playwright): the
pages a citizen, an officer and a leader use report no CSP violation on the console, htmx still
swaps the catalogue results and Chart.js still draws the indicators."""

import pytest

from demo.seed import DEMO_PASSWORD
from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    """The one place this test signs in (adapt here if staff sign-in gains a step)."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    if email != "congdan@demo.motcua.vn":  # staff: the demo second factor (seed_demo enrols them)
        pass_second_factor(page, email)


@pytest.fixture
def violations(page):
    """Console messages about the Content-Security-Policy, and uncaught page errors."""
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def test_pages_load_under_the_csp_without_violations_and_charts_draw(page, live_server, violations):
    from demo.seed import seed_demo

    seed_demo(demo_second_factor=True)
    base = live_server.url
    home = page.goto(base + "/")
    assert "script-src 'self'" in home.headers["content-security-policy"]
    page.goto(base + "/thu-tuc/")
    page.locator("#id_q, input[name=q]").first.fill("khai sinh")
    page.locator("#id_q, input[name=q]").first.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("main").inner_text()  # the results (htmx or a full page) are there
    page.goto(base + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)  # the init script (a file) ran
    assert violations == []
    page.goto(base + "/api/redoc/")
    page.wait_for_selector(".api-content", timeout=15000)  # ReDoc rendered under its own style-src
    # ReDoc's bundle asks for its "Redocly" logo from a CDN: the policy refusing it is the point.
    assert all("https://cdn.redoc.ly/" in v for v in violations), violations
    violations.clear()

    sign_in(page, live_server, "congdan@demo.motcua.vn")
    page.goto(base + "/thu-tuc/1.001193/nop/")
    assert "/ho-so/nhap/" in page.url and page.locator("main form").count() >= 1

    sign_in(page, live_server, "tiepnhan@demo.motcua.vn")
    page.goto(base + "/can-bo/ho-so/")
    assert page.locator("main table, main .queue").count() >= 1

    sign_in(page, live_server, "lanhdao@demo.motcua.vn")
    dashboard = page.goto(base + "/can-bo/chi-so/")
    assert "content-security-policy" in dashboard.headers
    page.wait_for_function("window.Chart && Chart.getChart('chart-trend') && Chart.getChart('chart-groups')")
    painted = page.evaluate("""() => {
        const c = document.getElementById('chart-trend');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i]) n++;
        return n;
    }""")
    assert painted > 1000

    sign_in(page, live_server, "quantri@demo.motcua.vn")
    page.goto(base + "/admin/portal/notificationtemplate/add/")
    assert page.locator("#notificationtemplate_form").count() == 1
    page.goto(base + "/admin/procedures/procedureversion/1/change/")  # autocomplete widgets, inlines
    page.wait_for_load_state("networkidle")
    assert violations == []
