"""Catalogue search ignores diacritics and case, on SQLite and PostgreSQL alike."""

import pytest

from procedures.search import normalize_search
from procedures.selectors import catalogue_search

from .factories import AgencyFactory, FieldFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    civil = FieldFactory(code="HT", name="Hộ tịch")
    VersionFactory(name="Đăng ký khai sinh", field=civil, published=True)
    VersionFactory(name="Đăng ký khai sinh có yếu tố nước ngoài", field=civil, published=True)
    VersionFactory(name="Trích lục khai sinh", field=civil, published=True)
    VersionFactory(name="Đăng ký kết hôn", field=civil, published=True)
    VersionFactory(name="Cấp giấy phép xây dựng", published=True)
    VersionFactory(name="Đăng ký khai sinh (bản nháp)")  # a draft: never public


def names(query, **filters):
    return [v.name for v in catalogue_search(query=query, **filters)]


def test_normalize():
    assert normalize_search("ĐĂNG KÝ Khai-sinh!") == "dang ky khai sinh"


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "  dăng  KY khai  sinh "]
)
def test_same_results_with_or_without_diacritics(catalogue, query):
    assert names(query)[0] == "Đăng ký khai sinh"
    assert set(names(query)) == {"Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"}


def test_ranked_by_relevance(catalogue):
    # The exact name first, then names starting with the phrase, then names containing it.
    assert names("khai sinh") == [
        "Đăng ký khai sinh",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Trích lục khai sinh",
    ]
    assert names("trich luc")[0] == "Trích lục khai sinh"


def test_words_in_any_order_match(catalogue):
    assert names("sinh khai") and set(names("sinh khai")) >= {"Đăng ký khai sinh"}


def test_matches_field_name(catalogue):
    assert len(names("ho tich")) == 4


@pytest.mark.parametrize("query", ["!!!", "...", "—", "x" * 1000, "khai sinh " * 100])
def test_punctuation_or_huge_query_gives_nothing(catalogue, query):
    assert names(query) == []


def test_filters(catalogue):
    agency = AgencyFactory(code="000.99.00.H99")
    VersionFactory(name="Khai sinh ở xã khác", agency=agency, published=True)
    assert names("khai sinh", agency=agency) == ["Khai sinh ở xã khác"]
    assert names("", level="province") == []
    assert len(names("")) == 6
