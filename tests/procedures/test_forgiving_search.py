"""Catalogue search forgives everyday words, typos and synonyms, and suggests when nothing
matches (issue 13); on SQLite and on PostgreSQL (pytest -m postgres with DATABASE_URL)."""

import pytest

from procedures.models import SearchSynonym
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
        "Đổi giấy phép lái xe do ngành Công an cấp",
        "Cấp hộ chiếu phổ thông trong nước",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
    ]:
        VersionFactory(name=name, field=civil, published=True)


def names(query):
    return [v.name for v in catalogue_search(query=query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("giay khai sinh", "Đăng ký khai sinh"),
        ("ho khau", "Đăng ký thường trú"),
        ("nhập hộ khẩu", "Đăng ký thường trú"),
        ("doi bang lai", "Đổi giấy phép lái xe do ngành Công an cấp"),
        ("lam giay phep lai xe", "Đổi giấy phép lái xe do ngành Công an cấp"),
        ("PASSPORT", "Cấp hộ chiếu phổ thông trong nước"),
        ("so do", "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu"),
        ("khai sih", "Đăng ký khai sinh"),
        ("dang ky ket hon", "Đăng ký kết hôn"),
    ],
)
def test_everyday_words_and_typos_find_the_procedure(catalogue, query, expected):
    assert names(query)[:1] == [expected]


def test_synonyms_are_editable_data(catalogue):
    assert names("giay ket hon") == []
    synonym = SearchSynonym.objects.create(term="Giấy kết hôn", replacement="kết hôn")
    assert names("giay ket hon") == ["Đăng ký kết hôn"]  # at once, though the synonyms are cached
    assert SearchSynonym.objects.get(term="Giấy kết hôn").search_term == "giay ket hon"
    synonym.delete()
    assert names("giay ket hon") == []


def suggest(query):
    return catalogue_suggestions(query=query, found=len(names(query)))


def test_suggestions(catalogue):
    assert suggest("khai sih")["corrected"] == "khai sinh"
    assert suggest("khai sinh") == {"corrected": "", "procedures": []}
    assert suggest("dang ky") == {"corrected": "", "procedures": []}
    nothing = suggest("khai sinh cho chó")
    assert names("khai sinh cho chó") == []
    assert [v.name for v in nothing["procedures"]][:1] == ["Đăng ký khai sinh"]
    assert suggest("zzzz qqqq") == {"corrected": "", "procedures": []}


def test_catalogue_page_says_did_you_mean(client, catalogue):
    page = client.get("/thu-tuc/", {"q": "khai sih"}).content.decode()
    assert 'id="search-corrected"' in page and "Đăng ký khai sinh" in page
    empty = client.get("/thu-tuc/", {"q": "khai sinh cho chó"})
    assert empty.status_code == 200 and 'id="search-suggestions"' in empty.content.decode()
    assert empty.context["page_obj"].paginator.count == 0


@pytest.mark.postgres
def test_forgiving_search_on_postgresql(catalogue):
    for query, expected in [("ho khau", "Đăng ký thường trú"), ("khai sih", "Đăng ký khai sinh")]:
        assert names(query)[:1] == [expected]
    assert suggest("khai sih")["corrected"] == "khai sinh"
