"""Typo tolerance by trigram similarity on PostgreSQL (pg_trgm), difflib on SQLite."""

import pytest
from django.db import connection, transaction

from procedures.selectors import catalogue_search, catalogue_suggestions

from .factories import FieldFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    civil = FieldFactory(code="HT", name="Hộ tịch")
    for name in ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký thường trú", "Cấp hộ chiếu phổ thông trong nước"]:
        VersionFactory(name=name, field=civil, published=True)


def names(query):
    return [v.name for v in catalogue_search(query=query)]


def test_sqlite_keeps_difflib_word_correction(catalogue):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    assert names("khai sih") == ["Đăng ký khai sinh"]
    assert names("khaisinh") == []  # no single catalogue word is close enough for difflib


@pytest.mark.postgres
def test_postgresql_matches_a_run_together_word_by_trigrams(catalogue):
    # difflib compares whole words and finds nothing close to 'khaisinh'; trigrams do.
    assert names("khaisinh")[:1] == ["Đăng ký khai sinh"]
    assert names("dang ky khai sinnh")[:1] == ["Đăng ký khai sinh"]
    assert names("thuongtru")[:1] == ["Đăng ký thường trú"]
    assert names("zzzz qqqq") == []


@pytest.mark.postgres
def test_postgresql_ranks_the_most_similar_first_and_says_what_it_searched(catalogue):
    results = list(catalogue_search(query="dang ky ket hom"))
    assert results[0].name == "Đăng ký kết hôn"
    assert results[0].rank > results[-1].rank or len(results) == 1
    assert catalogue_suggestions(query="dang ky ket hom", found=len(results))["corrected"] == "dang ky ket hon"
    assert catalogue_suggestions(query="khaisinh", found=1)["corrected"] == "khai"  # its most similar word


@pytest.mark.postgres
def test_postgresql_typo_search_is_served_by_the_trigram_index(catalogue):
    from procedures.models import Procedure, ProcedureVersion

    template = ProcedureVersion.objects.filter(status="published").first()
    procedures = Procedure.objects.bulk_create([Procedure(code=f"9.{i:06d}") for i in range(1500)])
    ProcedureVersion.objects.bulk_create(
        ProcedureVersion(
            procedure=procedure,
            number=1,
            status="published",
            name=f"Cấp phép số {i}",
            search_name=f"cap phep so {i}",
            search_text=f"cap phep so {i} giay phep xay dung nha o {i * 7919 % 1000}",
            field_id=template.field_id,
            agency_id=template.agency_id,
            level=template.level,
            processing_days=1,
        )
        for i, procedure in enumerate(procedures)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_procedureversion")
    sql, params = catalogue_search(query="khaisinh").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A tiny table: make the planner show the index it can use for the typo (%>) match.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "version_search_text_trgm_idx" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert cursor.fetchone()[0] == "0.5"
