"""A citizen registers, submits a dossier online with two files, and looks up its public status,
in the real browser (Debian's Chromium via Playwright). Assertions rely on ids, names and the
dossier code rather than on translated text, so they hold in Vietnamese and in English."""

import re

import pytest

from demo.seed import DEMO_CATALOGUE
from procedures.catalogue_io import import_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"000\.20\.00\.H99-\d{6}-\d{4}")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CITIZEN = {"full_name": "Đỗ Thị Hoa", "email": "hoa@example.vn", "phone": "0987654321", "personal_id": "001190012345"}


@pytest.fixture
def catalogue():
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture
def files(tmp_path):
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    png = tmp_path / "anh-chup.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    return pdf, png


def test_register_submit_with_two_files_and_look_up(live_server, page, catalogue, files):
    pdf, png = files

    # 1. Register, then open the link sent by email: the new citizen is signed in.
    from django.core import mail

    page.goto(live_server.url + "/tai-khoan/dang-ky/")
    for name, value in CITIZEN.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_password1").fill("Mat-khau-2026!")
    page.locator("#id_password2").fill("Mat-khau-2026!")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    link = next(word for message in mail.outbox for word in message.body.split() if "/tai-khoan/kich-hoat/" in word)
    page.goto(live_server.url + "/tai-khoan/kich-hoat/" + link.split("/tai-khoan/kich-hoat/", 1)[1])
    page.wait_for_url(live_server.url + "/")
    assert page.locator("nav a[href='/ho-so/']").count() == 1  # "My dossiers" in the menu

    # 2. Open the procedure and start the online application.
    page.goto(live_server.url + "/thu-tuc/1.004884/")
    page.locator("a[href='/thu-tuc/1.004884/nop/']").click()
    page.wait_for_url(re.compile(rf"/ho-so/nhap/{UUID}/$"))

    # 3. The applicant section comes from the profile; the address is not known yet.
    assert page.locator("#id_a-applicant_name").input_value() == CITIZEN["full_name"]
    assert page.locator("#id_a-applicant_id_number").input_value() == CITIZEN["personal_id"]
    page.locator("#id_a-applicant_address").fill("Số 5, phường Trung Tâm")
    page.locator("#id_f-full_name").fill(CITIZEN["full_name"])
    page.locator("#id_f-date_of_birth").fill("1990-05-17")
    page.locator("#id_f-id_number").fill(CITIZEN["personal_id"])
    page.locator("#id_f-address").fill("Số 5, phường Trung Tâm")

    # 4. Upload the required document first: the page comes back with the file listed.
    required = page.locator("#documents input[type=file]:not([name=files-other])")
    assert required.count() == 1
    required.set_input_files(str(pdf))
    page.locator("button[name=action][value=upload]").click()
    page.wait_for_url(re.compile(rf"/ho-so/nhap/{UUID}/#documents$"))
    attached = page.locator("#documents .file-list a[href^='/ho-so/tep/']")
    assert attached.count() == 1 and attached.inner_text() == "to-khai.pdf"
    # What was typed before the upload is kept.
    assert page.locator("#id_f-id_number").input_value() == CITIZEN["personal_id"]
    # Enter in a field saves the draft; it never presses a file's "Remove" button.
    with page.expect_navigation():
        page.locator("#id_f-address").press("Enter")
    assert page.locator("#documents .file-list a[href^='/ho-so/tep/']").count() == 1

    # 5. Add a photo as "other document" and continue to the review page.
    page.locator("input[name=files-other]").set_input_files(str(png))
    page.locator("button[name=action][value=review]").click()
    page.wait_for_url(re.compile(rf"/ho-so/nhap/{UUID}/xem-lai/$"))
    names = page.locator("main .file-list a").all_inner_texts()
    assert sorted(names) == ["anh-chup.png", "to-khai.pdf"]
    assert "3.000 đ" in page.locator("main").inner_text()

    # 6. Submit (the button is disabled once clicked) and land on the dossier page.
    page.locator("#submit-dossier").click()
    page.wait_for_url(re.compile(r"/ho-so/000\.20\.00\.H99-\d{6}-\d{4}/$"))
    code = page.locator("#dossier-code").inner_text().strip()
    assert CODE.fullmatch(code)
    assert page.locator("[aria-current=step]").count() == 1
    assert page.locator("main a[href^='/ho-so/tep/']").count() == 2

    # 7. The public status page: status and procedure, no personal details.
    page.locator("#public-status-link").click()
    page.wait_for_url(live_server.url + f"/tc/{code}")
    assert page.locator("#lookup-status").inner_text().strip()
    assert code in page.locator("#lookup-result").inner_text()
    public = page.locator("main").inner_text()
    assert "Xác nhận tình trạng hôn nhân" in public
    for private in CITIZEN.values():
        assert private not in public
