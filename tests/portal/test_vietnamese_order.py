"""Lists of names sort in Vietnamese order, not by code point (issue 13): Đ after D, not last;
'Văn bằng' before 'Việc làm'; on SQLite and on PostgreSQL (ICU)."""

import pytest

from portal.collation import sort_key
from procedures.models import Field
from procedures.selectors import fields_with_counts
from tests.procedures.factories import FieldFactory, VersionFactory

ORDER = ["An ninh", "Ăn uống", "Âm nhạc", "Dân tộc", "Đất đai", "Giáo dục", "Hộ tịch", "Văn bằng", "Việc làm", "Y tế"]


def test_sort_key_follows_the_vietnamese_alphabet():
    assert sorted(reversed(ORDER), key=sort_key) == ORDER
    assert sorted(["Ưu đãi", "Uỷ thác", "Xây dựng"], key=sort_key) == ["Uỷ thác", "Ưu đãi", "Xây dựng"]


def check_database_order():
    for n, name in enumerate(reversed(ORDER)):
        VersionFactory(name=f"Thủ tục {n}", field=FieldFactory(code=f"F{n}", name=name), published=True)
    assert [f.name for f in fields_with_counts()] == ORDER
    from procedures.forms import CatalogueFilterForm

    assert [f.name for f in CatalogueFilterForm().fields["field"].queryset] == ORDER
    assert Field.objects.count() == len(ORDER)


@pytest.mark.django_db
def test_catalogue_fields_in_vietnamese_order():
    check_database_order()


@pytest.mark.postgres
@pytest.mark.django_db
def test_catalogue_fields_in_vietnamese_order_on_postgresql():
    check_database_order()


def test_specialists_listed_in_vietnamese_order(office):
    from dossiers.selectors import specialists_for
    from portal.constants import StaffRole
    from tests.dossiers.factories import StaffFactory

    for name in ["Đỗ Văn Hùng", "Trần Thị Lan", "Dương Thị Mai", "Vũ Minh", "Bùi Anh"]:
        StaffFactory(agency=office["agency"], role=StaffRole.SPECIALIST, full_name=name)
    names = [u.full_name for u in specialists_for(office["desk"])]
    assert names == sorted(names, key=sort_key) and names.index("Dương Thị Mai") < names.index("Đỗ Văn Hùng")
