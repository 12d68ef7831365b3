"""The supplement round trip on a phone (390 px), in Chromium: the desk asks at reception, the
citizen answers item by item, the desk receives the answer and Form 01 exists (#13)."""

import pytest

from tests.e2e.test_officer_flow import CITIZEN, RECEPTIONIST, act, open_desk, sign_in, status_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def submitted_code():
    from demo.seed import seed_demo
    from dossiers.models import Dossier

    seed_demo(demo_second_factor=True)
    dossier = Dossier.objects.filter(status="submitted", applicant__email=CITIZEN).order_by("pk").first()
    return dossier.code


def test_supplement_asked_at_reception_answered_per_item_then_received(live_server, page, submitted_code):
    code = submitted_code
    page.set_viewport_size(PHONE)

    # 1. The desk asks for two items at reception (Form 02).
    sign_in(page, live_server, RECEPTIONIST)
    open_desk(page, live_server, code, "view=to_receive")
    page.locator("#details-request_supplement summary").click()
    page.locator("#action-request_supplement textarea[name=items]").fill(
        "Bản sao giấy chứng sinh — bản đã nộp bị mờ\nXác nhận cư trú — thiếu trong hồ sơ"
    )
    act(page, live_server, code, "request_supplement")
    assert status_of(code).status == "supplement_requested"

    # 2. The citizen opens the supplement page: one slot per item, and the date to answer by.
    sign_in(page, live_server, CITIZEN)
    page.goto(live_server.url + f"/ho-so/{code}/bo-sung/")
    assert page.locator("#answer-by").is_visible()
    assert page.locator("input[type=file][name^='files-item-']").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    for n, name in enumerate(["chung-sinh.pdf", "cu-tru.pdf"]):
        page.locator(f"#files-item-{n}").set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
        )
    with page.expect_navigation():
        page.locator("main form[action$='/bo-sung/'] button[type=submit]").click()
    assert page.url == live_server.url + f"/ho-so/{code}/"
    assert status_of(code).status == "submitted"  # back to the desk, not received by itself
    request = status_of(code).supplement_requests.get()
    assert [len(item["files"]) for item in request.items] == [1, 1]

    # 3. The desk finds it again under "To receive" and receives it: Form 01 is there.
    sign_in(page, live_server, RECEPTIONIST)
    open_desk(page, live_server, code, "view=to_receive")
    act(page, live_server, code, "receive")
    dossier = status_of(code)
    assert dossier.status == "received" and dossier.due_at is not None
    assert page.locator("#document-form01").count() == 1
    response = page.request.get(live_server.url + f"/ho-so/{code}/phieu-tiep-nhan.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
