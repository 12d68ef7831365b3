"""English names in the English UI, the receiving desks on the procedure page, blank forms to
download, and the level filter that offers only levels the catalogue has."""

import json

import pytest
from django.core.files.base import ContentFile

from demo.seed import DEMO_CATALOGUE
from portal.constants import StaffRole
from portal.models import AgencyMembership
from procedures.catalogue_io import export_catalogue, import_catalogue
from procedures.constants import Level
from procedures.models import Agency, DocumentRequirement, ProcedureVersion, StepTemplate
from procedures.services import procedure_draft_create, procedure_version_publish
from tests.dossiers.factories import StaffFactory

from .factories import AgencyFactory, FieldFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth():
    desk = AgencyFactory(
        code="000.20.00.H99",
        name="Ủy ban nhân dân phường Trung Tâm",
        name_en="People's Committee of Trung Tâm Ward",
        address="Số 45 đường Lê Lợi",
        opening_hours="Thứ Hai – Thứ Sáu: 7:30 – 17:00",
        hotline="0203 3830.200",
        email="motcua@example.vn",
    )
    version = VersionFactory(
        name="Đăng ký khai sinh",
        name_en="Birth registration",
        agency=desk,
        field=FieldFactory(code="HT", name="Hộ tịch", name_en="Civil status"),
    )
    DocumentRequirement.objects.filter(version=version).update(name="Tờ khai khai sinh", name_en="Birth form")
    StepTemplate.objects.create(version=version, name="Thẩm định", name_en="Appraisal", role=StaffRole.SPECIALIST)
    return procedure_version_publish(version=version)


def page(client, path, language, **params):
    client.cookies["django_language"] = language
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", ["Birth registration", "Civil status", "Birth form", "Appraisal", "Trung Tâm Ward"], ["Thẩm định"]),
        ("vi", ["Đăng ký khai sinh", "Hộ tịch", "Tờ khai khai sinh", "Thẩm định"], ["Birth form", "Appraisal"]),
    ],
)
def test_procedure_page_names_follow_the_language(client, birth, language, shown, hidden):
    html = page(client, f"/thu-tuc/{birth.procedure.code}/", language)
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_catalogue_list_and_filters_in_english(client, birth):
    html = page(client, "/thu-tuc/", "en")
    assert "Birth registration" in html and ">Civil status<" in html
    assert "Đăng ký khai sinh" not in html
    assert "Birth registration" not in page(client, "/thu-tuc/", "vi")


def test_a_name_without_english_stays_vietnamese_and_says_so(client, birth):
    StepTemplate.objects.filter(version=birth).update(name_en="")
    html = page(client, f"/thu-tuc/{birth.procedure.code}/", "en")
    assert '<span class="steps__name" lang="vi">Thẩm định</span>' in html


def test_api_carries_english_names_beside_the_vietnamese(client, birth):
    detail = client.get(f"/api/v1/procedures/{birth.procedure.code}/").json()
    assert (detail["name"], detail["name_en"]) == ("Đăng ký khai sinh", "Birth registration")
    assert detail["field_name_en"] == "Civil status"
    assert detail["documents"][0]["name_en"] == "Birth form" and detail["documents"][0]["template_url"] is None
    assert detail["steps"][0]["name_en"] == "Appraisal"


def test_desk_address_hours_and_hotline_on_the_procedure_page(client, birth):
    html = page(client, f"/thu-tuc/{birth.procedure.code}/", "en")
    assert 'id="desks"' in html and 'data-agency="000.20.00.H99"' in html
    assert "Số 45 đường Lê Lợi" in html and "7:30 – 17:00" in html
    assert '<a href="tel:02033830200">0203 3830.200</a>' in html
    assert 'href="mailto:motcua@example.vn"' in html


def test_a_cross_boundary_procedure_lists_every_desk_of_the_province(client, birth):
    other = AgencyFactory(code="000.21.00.H99", name="Ủy ban nhân dân xã Bình Minh", hotline="0203 3840 210")
    no_desk = AgencyFactory(code="000.22.00.H99", name="Ủy ban nhân dân xã Đông Hòa")
    AgencyMembership.objects.create(user=StaffFactory(), agency=other, role=StaffRole.RECEPTIONIST)
    AgencyMembership.objects.create(user=StaffFactory(), agency=no_desk, role=StaffRole.SPECIALIST)
    html = page(client, f"/thu-tuc/{birth.procedure.code}/", "vi")
    assert 'data-agency="000.21.00.H99"' not in html  # not cross-boundary: its own desk only
    ProcedureVersion.objects.filter(pk=birth.pk).update(cross_boundary=True)
    html = page(client, f"/thu-tuc/{birth.procedure.code}/", "vi")
    assert 'data-agency="000.20.00.H99"' in html and 'data-agency="000.21.00.H99"' in html
    assert 'data-agency="000.22.00.H99"' not in html  # no one-stop desk officers there
    assert 'href="tel:02033840210"' in html


def test_blank_form_is_offered_and_always_downloaded_never_rendered(client, birth):
    draft = procedure_draft_create(procedure=birth.procedure)
    blank = draft.documents.first()
    blank.template.save("to-khai.pdf", ContentFile(b"%PDF-1.7 mau"))
    version = procedure_version_publish(version=draft)
    html = page(client, f"/thu-tuc/{version.procedure.code}/", "en")
    assert f'href="/thu-tuc/mau-don/{blank.pk}/"' in html and "Download form" in html
    response = client.get(f"/thu-tuc/mau-don/{blank.pk}/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    # A file of another kind (set before the upload check existed) goes out as plain bytes.
    DocumentRequirement.objects.filter(pk=blank.pk).update(template="procedure-templates/x.html")
    blank.template.storage.save("procedure-templates/x.html", ContentFile(b"<script>alert(1)</script>"))
    response = client.get(f"/thu-tuc/mau-don/{blank.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    DocumentRequirement.objects.filter(pk=blank.pk).update(template="procedure-templates/gone.pdf")
    assert client.get(f"/thu-tuc/mau-don/{blank.pk}/").status_code == 404


def test_only_document_kinds_are_accepted_as_blank_forms(birth):
    from django.core.exceptions import ValidationError

    draft = procedure_draft_create(procedure=birth.procedure)
    blank = draft.documents.first()
    blank.template.name = "procedure-templates/mau.html"
    with pytest.raises(ValidationError):
        blank.full_clean()


def test_level_filter_offers_only_levels_with_procedures_with_counts(client, birth):
    VersionFactory(level=Level.PROVINCE, published=True)
    html = page(client, "/thu-tuc/", "en")
    assert '<option value="commune">Commune (1)</option>' in html
    assert '<option value="province">Province (1)</option>' in html
    assert 'value="district"' not in html
    VersionFactory(level=Level.DISTRICT, published=True)
    html = page(client, "/thu-tuc/", "en", field="HT")  # another cached variant of the list
    assert '<option value="district">District (before 2025) (1)</option>' in html


def test_an_empty_level_still_filters_when_asked_for(client, birth):
    html = page(client, "/thu-tuc/", "en", level=Level.DISTRICT)
    assert 'value="district" selected' in html
    assert client.get("/thu-tuc/", {"level": "district"}).context["page_obj"].paginator.count == 0


def test_import_reads_and_export_writes_english_names_and_desk_contacts():
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    desk = Agency.objects.get(code="000.20.00.H99")
    assert desk.name_en and desk.address and desk.opening_hours and desk.hotline and desk.email
    birth = ProcedureVersion.objects.get(procedure__code="1.001193", status="published")
    assert birth.name_en == "Birth registration"
    assert [s.name_en for s in birth.steps.all()] == ["Reception", "Appraisal", "Approval and signature"]
    assert birth.documents.first().name_en == "Birth registration form (standard form)"
    exported = export_catalogue()
    entry = next(p for p in exported["procedures"] if p["code"] == "1.001193")
    assert entry["steps"][0]["name_en"] == "Reception" and entry["documents"][0]["name_en"]
    assert next(a for a in exported["agencies"] if a["code"] == "000.20.00.H99")["hotline"] == desk.hotline
    assert import_catalogue(json.dumps(exported)).changed is False  # a round trip changes nothing


def test_import_keeps_the_blank_forms_of_a_changed_procedure():
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    document = DocumentRequirement.objects.get(
        version__procedure__code="1.001193", version__status="published", position=0
    )
    DocumentRequirement.objects.filter(pk=document.pk).update(template="procedure-templates/to-khai.pdf")
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    next(p for p in data["procedures"] if p["code"] == "1.001193")["processing_working_days"] = 1
    import_catalogue(json.dumps(data))
    new = DocumentRequirement.objects.get(version__procedure__code="1.001193", version__status="published", position=0)
    assert new.pk != document.pk and new.template.name == "procedure-templates/to-khai.pdf"


def test_import_rejects_a_bad_desk_email():
    from procedures.catalogue_io import CatalogueError

    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    data["agencies"][0]["email"] = "not an email"
    with pytest.raises(CatalogueError, match=r"agencies\[0\]\.email"):
        import_catalogue(json.dumps(data))


def test_admin_edits_an_agencys_desk(client):
    from portal.models import User
    from tests.second_factor import staff_login

    admin = User.objects.create_superuser(email="qt@example.vn", phone="0912999999", password="x" * 12)
    staff_login(client, admin)
    agency = AgencyFactory(code="000.30.00.H99", name="Ủy ban nhân dân xã Thử")
    url = f"/admin/procedures/agency/{agency.pk}/change/"
    assert 'name="hotline"' in client.get(url).content.decode()
    data = {
        "code": agency.code,
        "name": agency.name,
        "name_en": "",
        "level": agency.level,
        "is_active": "on",
        "address": "Thôn Một",
        "opening_hours": "7:30 – 17:00",
        "hotline": "0203 1234 567",
        "email": "not an email",
    }
    assert client.post(url, data).status_code == 200  # the form again, with the error
    assert Agency.objects.get(pk=agency.pk).hotline == ""
    data["email"] = "xa@example.vn"
    assert client.post(url, data).status_code == 302
    saved = Agency.objects.get(pk=agency.pk)
    assert (saved.address, saved.hotline, saved.email) == ("Thôn Một", "0203 1234 567", "xa@example.vn")
