"""The admin's application-form editor in the real browser, under the strict CSP: the saved JSON
shows as rows; a field added, filled in and moved up is previewed as citizens will see it and
saved as JSON (settings the rows do not show are kept)."""

import pytest

from tests.second_factor import confirmed_device, pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-2026"  # tests.dossiers.factories.CitizenFactory's


@pytest.fixture
def administrator():
    from tests.dossiers.factories import CitizenFactory

    user = CitizenFactory(is_staff=True, is_superuser=True)
    confirmed_device(user)
    return user


def test_add_a_field_in_the_editor_preview_it_and_save_it(live_server, page, administrator):
    from procedures.models import ProcedureVersion
    from tests.procedures.factories import VersionFactory

    version = VersionFactory(
        form_schema=[
            {"name": "dob", "label": "Ngày sinh", "label_en": "Date of birth", "type": "date", "required": True}
        ]
    )
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})

    change = f"/admin/procedures/procedureversion/{version.pk}/change/"
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next={change}")
    page.locator("#id_username").fill(administrator.email)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form[action='/tai-khoan/dang-nhap/'] button[type=submit]").click()
    pass_second_factor(page, administrator)
    assert page.url.endswith(change), page.url

    editor = page.locator("[data-form-schema-editor]")
    assert editor.locator("[data-form-schema-row]").count() == 1
    assert editor.locator("#id_form_schema").is_hidden()  # the rows replace the JSON box
    assert editor.get_by_label("Name").first.input_value() == "dob"
    assert (
        page.get_by_role("group", name="Application form:", exact=True).count() == 1
    )  # the rows, named by the field's label

    editor.get_by_role("button", name="Add a field").click()
    row = editor.locator('[data-form-schema-row="2"]')
    assert row.get_by_label("Name").evaluate("el => el === document.activeElement")  # focus moved to it
    row.get_by_label("Name").fill("purpose")
    row.get_by_label("Label").fill("Mục đích")
    assert row.get_by_label("Choices (one per line)").is_hidden()
    row.get_by_label("Type").select_option("choice")
    row.get_by_label("Choices (one per line)").fill("Đi học\nĐi làm")
    row.get_by_label("Required").check()
    row.get_by_label("Help text").fill("Chọn một mục đích.")
    row.get_by_role("button", name="Move up: Field 2").click()
    assert editor.locator('[data-form-schema-row="1"]').get_by_label("Name").input_value() == "purpose"

    page.screenshot(path="test-results/form-schema-editor-390.png", full_page=True)

    with page.context.expect_page() as preview_tab:
        editor.get_by_role("button", name="Preview the citizen form").click()
    preview = preview_tab.value
    preview.wait_for_load_state()
    preview.screenshot(path="test-results/form-preview-390.png", full_page=True)
    assert preview.locator("select[name=f-purpose] option").all_inner_texts() == ["—", "Đi học", "Đi làm"]
    assert preview.locator("input[name=f-dob][type=date]").count() == 1
    assert preview.get_by_text("Chọn một mục đích.").count() == 1
    preview.close()

    with page.expect_navigation():
        page.locator("input[name=_continue]").first.click()
    assert page.locator(".errornote").count() == 0, page.locator("main").inner_text()
    version.refresh_from_db()
    assert version.form_schema == [
        {
            "name": "purpose",
            "label": "Mục đích",
            "type": "choice",
            "required": True,
            "choices": ["Đi học", "Đi làm"],
            "help": "Chọn một mục đích.",
        },
        {"name": "dob", "label": "Ngày sinh", "type": "date", "required": True, "label_en": "Date of birth"},
    ]
    assert ProcedureVersion.objects.count() == 1
    assert problems == []
