"""Feature 5 in the real browser, on a phone-sized screen: the ward police (the agency the demo
consults) answers in its own queue, with a file; the leader starts on "waiting for my approval"
and opens the unsigned preview of the result before approving."""

import os

import pytest

from tests.e2e.test_officer_flow import LEADER, act, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POLICE = "congan@demo.motcua.vn"
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: keep 390 px screenshots of the pages


@pytest.fixture
def demo():
    from demo.seed import seed_demo

    seed_demo(demo_second_factor=True)


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_consulted_agency_answers_and_the_leader_previews_the_result(live_server, page, demo, tmp_path):
    from dossiers.models import Dossier, DossierEvent, OfficerFile

    page.set_viewport_size({"width": 390, "height": 844})
    consulting = Dossier.objects.get(status="consulting")
    sign_in(page, live_server, POLICE)
    page.goto(live_server.url + "/can-bo/ho-so/?view=consulted")
    assert page.locator("a[href='?view=consulted'][aria-current=page]").count() == 1
    assert page.locator("[data-consultation-due]").count() == 1
    shot(page, "consulted-queue")
    with page.expect_navigation():
        page.locator(f"main a[href='/can-bo/ho-so/{consulting.code}/']").click()
    assert page.locator("#consultation-due").count() == 1
    assert page.locator("form.action-form").count() == 1  # only the answer: the dossier is read-only
    page.locator("#action-record_consultation textarea[name=answer]").fill("Người nộp cư trú đúng địa chỉ.")
    answer = tmp_path / "tra-loi.pdf"
    answer.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#action-record_consultation input[name=answer_file]").set_input_files(str(answer))
    shot(page, "consulted-desk")
    with page.expect_navigation():
        page.locator("#action-record_consultation-submit").click()
    assert page.locator(".message--success").count() == 1
    consulting.refresh_from_db()
    assert consulting.status == "in_processing"
    event = DossierEvent.objects.get(dossier=consulting, kind="consultation_answered")
    assert event.agency.code == "000.20.19.H99" and OfficerFile.objects.filter(dossier=consulting).count() == 1

    sign_in(page, live_server, LEADER)
    page.goto(live_server.url + "/can-bo/ho-so/")
    assert page.locator("a[href='?view=awaiting_my_approval'][aria-current=page]").count() == 1
    shot(page, "leader-queue")
    waiting = Dossier.objects.filter(status="awaiting_approval").first()
    with page.expect_navigation():
        page.locator(f"main a[href='/can-bo/ho-so/{waiting.code}/']").click()
    preview = page.locator("#result-preview")
    assert preview.count() == 1
    shot(page, "leader-desk")
    response = page.request.get(live_server.url + preview.get_attribute("href"))
    assert response.status == 200 and response.headers["content-disposition"].startswith("inline")
    act(page, live_server, waiting.code, "approve")
