"""The public catalogue pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import FeeRule
from procedures.services import procedure_draft_create, procedure_version_archive

from .factories import FieldFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth():
    version = VersionFactory(name="Đăng ký khai sinh", field=FieldFactory(code="HT", name="Hộ tịch"))
    FeeRule.objects.create(
        version=version, name="Phí chứng thực", unit="page", amount=2000, tier_after=2, tier_amount=1000, cap=200000
    )
    FeeRule.objects.create(version=version, name="Lệ phí", amount=20000, online_amount=10000)
    from procedures.services import procedure_version_publish

    return procedure_version_publish(version=version)


def test_home_lists_fields(client, birth):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hộ tịch" in response.content.decode()


def test_search_page_finds_without_diacritics(client, birth):
    response = client.get("/thu-tuc/", {"q": "DANG KY KHAI SINH"})
    assert response.status_code == 200
    assert [v.name for v in response.context["page_obj"]] == ["Đăng ký khai sinh"]


@pytest.mark.parametrize("query", ["!!!", "x" * 1000, "%' OR 1=1 --"])
def test_odd_queries_are_empty_results_not_errors(client, birth, query):
    response = client.get("/thu-tuc/", {"q": query})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0


def test_unknown_filter_values_are_ignored(client, birth):
    response = client.get("/thu-tuc/", {"agency": "nope", "level": "galaxy", "page": "abc"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1


def test_list_query_count_does_not_grow_with_results(client, birth):
    for _ in range(30):
        VersionFactory(published=True)
    client.get("/thu-tuc/", {"page": 3})  # fills the cached filter lists
    with CaptureQueriesContext(connection) as queries:
        client.get("/thu-tuc/")
    with CaptureQueriesContext(connection) as more:
        client.get("/thu-tuc/", {"page": 2})
    assert len(queries) == len(more) <= 4


def test_detail_shows_fees_documents_and_submit(client, birth, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(f"/thu-tuc/{birth.procedure.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html and "Tờ khai" in html
    assert "2.000 đ" in html and "200.000 đ" in html and "10.000 đ" in html
    assert "Nộp hồ sơ trực tuyến" in html


def test_unknown_code_is_404(client):
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404


def test_drafts_and_archived_versions_are_invisible(client, birth):
    procedure_draft_create(procedure=birth.procedure)
    draft_only = VersionFactory(name="Thủ tục chưa công bố")
    assert client.get(f"/thu-tuc/{draft_only.procedure.code}/").status_code == 404
    assert client.get("/thu-tuc/", {"q": "chua cong bo"}).context["page_obj"].paginator.count == 0
    procedure_version_archive(version=birth)
    assert client.get(f"/thu-tuc/{birth.procedure.code}/").status_code == 404
    assert client.get("/thu-tuc/").context["page_obj"].paginator.count == 0


def test_english_is_available(client, birth):
    client.cookies["django_language"] = "en"
    html = client.get(f"/thu-tuc/{birth.procedure.code}/").content.decode()
    assert 'lang="en"' in html and "Submit online" in html


def test_document_template_downloads_only_from_published_versions(client, birth):
    from django.core.files.base import ContentFile

    from procedures.models import DocumentRequirement

    draft = procedure_draft_create(procedure=birth.procedure)
    blank = draft.documents.first()
    blank.template.save("to-khai.docx", ContentFile(b"PK\x03\x04 mau don"))
    assert client.get(f"/thu-tuc/mau-don/{blank.pk}/").status_code == 404  # still a draft
    from procedures.services import procedure_version_publish

    procedure_version_publish(version=draft)
    response = client.get(f"/thu-tuc/mau-don/{blank.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    assert DocumentRequirement.objects.filter(template="").exists()  # documents without a form have none
    assert client.get(f"/thu-tuc/mau-don/{birth.documents.first().pk}/").status_code == 404
