"""One dossier through the officers' desks in the real browser (Debian's Chromium via Playwright):
the one-stop desk receives and assigns it, the specialist submits it for approval, the leader
approves it and issues the signed result, the desk returns it, and the citizen downloads the
signed PDF, which the public verification page confirms.

Buttons are found by the ids the templates give each transition's form (action-<name>), links by
their URLs: the assertions hold in Vietnamese and in English."""

import re

import pytest

from tests.second_factor import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dich-vu-cong-2026"
CITIZEN = "congdan@demo.motcua.vn"
RECEPTIONIST = "tiepnhan@demo.motcua.vn"
SPECIALIST = "chuyenvien@demo.motcua.vn"
LEADER = "lanhdao@demo.motcua.vn"


@pytest.fixture
def submitted_code():
    from demo.seed import seed_demo
    from dossiers.models import Dossier

    seed_demo(demo_second_factor=True)
    return Dossier.objects.get(status="submitted", procedure_version__procedure__code="1.004884").code


def sign_in(page, live_server, email):
    """The password, then (staff) the second factor: the code of the demo TOTP secret."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    if email != CITIZEN:
        pass_second_factor(page, email)


def open_desk(page, live_server, code, query="view=all"):
    page.goto(live_server.url + f"/can-bo/ho-so/?{query}")
    with page.expect_navigation():
        page.locator(f"main a[href='/can-bo/ho-so/{code}/']").click()
    assert page.locator("#dossier-code").inner_text().strip() == code


def act(page, live_server, code, name):
    """Press the button of transition `name` and land back on the desk, the change made."""
    if name == "receive":  # the desk ticks each document of the reception checklist first
        for box in page.locator("#action-receive input[name=documents]").all():
            box.check()
    with page.expect_navigation():
        page.locator(f"#action-{name}-submit").click()
    assert page.url == live_server.url + f"/can-bo/ho-so/{code}/"
    assert page.locator(".message--success").count() == 1, page.locator(".messages").inner_text()


def status_of(code):
    from dossiers.models import Dossier

    return Dossier.objects.select_related("assigned_to").get(code=code)


def test_dossier_through_all_desks_to_a_signed_result(live_server, page, submitted_code):
    code = submitted_code

    # 1. The one-stop desk finds the new dossier in its queue ("To receive") and receives it.
    sign_in(page, live_server, RECEPTIONIST)
    assert page.locator("nav a[href='/can-bo/ho-so/']").count() == 1  # "Work queue" in the menu
    open_desk(page, live_server, code, "view=to_receive")
    assert page.locator("form[action$='/receive/'] input[name=expected_status]").input_value() == "submitted"
    act(page, live_server, code, "receive")
    assert status_of(code).status == "received"
    assert page.locator("#document-form01").count() == 1  # the receipt can be printed now

    # 2. ... and assigns it to the specialist.
    page.locator("#action-assign select[name=specialist]").select_option(label="Lê Văn Cường")
    act(page, live_server, code, "assign")
    dossier = status_of(code)
    assert dossier.status == "in_processing" and dossier.assigned_to.email == SPECIALIST

    # 3. The specialist finds it under "Assigned to me" and submits it for approval.
    sign_in(page, live_server, SPECIALIST)
    open_desk(page, live_server, code, "view=mine")
    page.locator("#action-submit_for_approval textarea[name=comment]").fill("Hồ sơ đủ điều kiện.")
    act(page, live_server, code, "submit_for_approval")
    assert status_of(code).status == "awaiting_approval"
    assert page.locator("#action-submit_for_approval").count() == 0  # now the leader's turn

    # 4. The leader approves, then issues and signs the result.
    sign_in(page, live_server, LEADER)
    open_desk(page, live_server, code)
    assert page.locator("#details-refuse, #details-stop").count() == 2  # folded away, after the next step
    act(page, live_server, code, "approve")
    assert status_of(code).status == "approved"
    act(page, live_server, code, "issue_result")
    assert status_of(code).status == "finished"
    assert page.locator("#document-result").count() == 1

    # 5. The desk finds the results ready to hand over (processing has ended: not an open view) and returns it.
    sign_in(page, live_server, RECEPTIONIST)
    open_desk(page, live_server, code, "status=finished")
    act(page, live_server, code, "return_result")
    assert status_of(code).status == "returned"
    assert page.locator("#no-actions").count() == 1

    # 6. The citizen downloads the result: a PDF carrying a valid signature of the agency.
    sign_in(page, live_server, CITIZEN)
    page.goto(live_server.url + f"/ho-so/{code}/")
    link = page.locator("#result-download")
    href = link.get_attribute("href")
    assert re.fullmatch(rf"/ho-so/{re.escape(code)}/giay-to/result\.pdf", href)
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf

    from portal.signing import verify_pdf

    check = verify_pdf(pdf)
    assert check.signed and check.intact and check.trusted, check.summary

    # 7. Anyone can have the file checked on the public verification page.
    page.context.clear_cookies()
    page.goto(live_server.url + "/xac-thuc/")
    page.locator("#verify-file").set_input_files(
        files=[{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    with page.expect_navigation():
        page.locator("#verify-submit").click()
    assert page.locator("#verdict-text").get_attribute("data-valid") == "true"
    assert code in page.locator("#verify-result").inner_text()
    # signed B-LT: the TSA's time and the long-term validation data are shown
    assert page.locator("#verify-timestamp time").get_attribute("datetime")
    assert page.locator("#verify-ltv").get_attribute("data-ltv") == "present"

    # A changed copy is not confirmed.
    page.locator("#verify-file").set_input_files(
        files=[{"name": "changed.pdf", "mimeType": "application/pdf", "buffer": pdf + b"\n% changed\n"}]
    )
    with page.expect_navigation():
        page.locator("#verify-submit").click()
    assert page.locator("#verdict-text").get_attribute("data-valid") == "false"
