"""Typo correction by trigram similarity on PostgreSQL (pg_trgm), by difflib on SQLite."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.selectors import catalogue_search, catalogue_suggestions

from .factories import FieldFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    civil = FieldFactory(code="HT", name="Hộ tịch")
    for name in [
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
        "Đăng ký thường trú",
        "Cấp hộ chiếu phổ thông trong nước",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    ]:
        VersionFactory(name=name, field=civil, published=True)


def names(query):
    return [v.name for v in catalogue_search(query=query)]


def test_sqlite_corrects_with_difflib(catalogue):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    assert names("khai sih") == ["Đăng ký khai sinh"]
    assert names("thuongg truu") == ["Đăng ký thường trú"]


@pytest.mark.postgres
def test_postgresql_corrects_with_trigram_similarity(catalogue):
    with CaptureQueriesContext(connection) as queries:
        assert names("khai sih") == ["Đăng ký khai sinh"]
    assert any("word_similarity" in q["sql"] and "similarity(w" in q["sql"] for q in queries)
    assert names("thuongg truu") == ["Đăng ký thường trú"]
    assert names("giay phep xay dng")[:1] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert names("zzzz qqqq") == []
    results = "dang ky ket hom"
    assert catalogue_suggestions(query=results, found=len(names(results)))["corrected"] == "dang ky ket hon"


@pytest.mark.postgres
def test_postgresql_known_words_cost_no_correction_query(catalogue):
    names("khai sinh")  # fills the cached vocabulary
    with CaptureQueriesContext(connection) as queries:
        assert names("khai sinh") == ["Đăng ký khai sinh"]
    assert not any("similarity" in q["sql"] for q in queries)


@pytest.mark.postgres
def test_postgresql_the_page_and_its_did_you_mean_share_one_correction(client, catalogue):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/thu-tuc/", {"q": "khai sih"}).content.decode()
    assert 'id="search-corrected"' in page and "Đăng ký khai sinh" in page
    assert sum("similarity(w" in q["sql"] for q in queries) == 1
