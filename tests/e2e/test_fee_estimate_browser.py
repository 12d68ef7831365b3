"""The draft form's fee updates as the applicant changes the number of pages (static/js/fees.js),
on a phone, and the review page's total (the server's) is the same."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def draft_with_page_fees():
    from dossiers import services
    from procedures.models import FeeRule
    from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

    version = birth_procedure()
    FeeRule.objects.bulk_create(
        [
            FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000),
            FeeRule(
                version=version,
                name="Phí chứng thực",
                unit="page",
                amount=2000,
                tier_after=2,
                tier_amount=1000,
                cap=50000,
            ),
        ]
    )
    citizen = CitizenFactory()
    draft = filled_draft(citizen, version)
    draft.fee_quantities = {}
    draft.save(update_fields=["fee_quantities"])
    assert services.fee_due(version, online=True, quantities={}) == 12000
    return citizen, draft, version.fees.get(unit="page")


def test_the_estimated_fee_follows_the_number_of_pages(live_server, page, draft_with_page_fees):
    citizen, draft, page_fee = draft_with_page_fees
    problems = []  # CSP violations and script errors of vietqr.js / fees.js
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(citizen.email)
    page.locator("#id_password").fill("Mat-khau-2026")
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    page.goto(live_server.url + f"/ho-so/nhap/{draft.public_id}/")
    total = page.locator("#fee-estimate-total")
    assert total.inner_text() == "12.000 đ"  # the server's: 10.000 online + 1 page at 2.000
    assert total.get_attribute("aria-live") == "polite"

    quantity = page.locator(f"#qty-{page_fee.pk}")
    quantity.fill("5")  # 2 × 2.000 + 3 × 1.000
    expect(total).to_have_text("17.000 đ")
    quantity.fill("1000")  # capped at 50.000
    expect(total).to_have_text("60.000 đ")
    quantity.fill("0")
    expect(page.locator("#fee-estimate")).to_have_attribute("data-state", "invalid")
    assert "1 to 1000" in total.inner_text()
    quantity.fill("4")
    expect(total).to_have_text("16.000 đ")
    box = page.locator("#fee-estimate").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the total fits the phone

    # Continue: the review page's total is the server's own and says the same.
    with page.expect_navigation():
        page.locator("button[name=action][value=review]").click()
    assert page.locator(".fee-total strong").inner_text() == "16.000 đ"
    assert problems == []
