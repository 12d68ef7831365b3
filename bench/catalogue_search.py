"""Benchmark: the public catalogue list and search with 2,000 procedures on PostgreSQL.

Prints p50/p95 per kind of request and queries per request. Target (issue 2): p95 < 30 ms;
issue 13 adds typo tolerance, synonyms and suggestions (same target). The typo-tolerant search
(procedures/selectors.py: pg_trgm similarity to the catalogue's words, then the search with the
corrected words) is also timed on its own (its queries, without the page), with the indexes the
plan of its search query reads, and set against a bare `SELECT 1` measured in the same run (the
ratio says how much of the time is the search and how much the round trip).
Usage: .venv/bin/python bench/catalogue_search.py [--procedures 2000] [--requests 400]
Needs PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL when it is a PostgreSQL URL, else
postgres://postgres@127.0.0.1:5432/motcua_bench; the database is created and filled (procedures
9.xxxxxx) on first use, so point it at a bench database, never at real data.
"""

import argparse
import os
import statistics
import time

import common  # noqa: E402 - sets up the path and the bench database first

ROOT = common.ROOT


def fill(target: int):
    """Import the demo catalogue, then clone its procedures until there are `target`."""
    import random

    from django.db import transaction

    from demo.seed import DEMO_CATALOGUE
    from procedures.catalogue_io import import_catalogue
    from procedures.constants import VersionStatus
    from procedures.models import DocumentRequirement, FeeRule, Procedure, ProcedureVersion

    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    have = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count()
    if have >= target:
        return
    templates = list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("procedure", "field", "agency")
    )
    rng = random.Random(7)
    suffixes = ["(cấp lại)", "(điều chỉnh)", "có yếu tố nước ngoài", "cho tổ chức", "cho cá nhân", "lần đầu", "gia hạn"]
    with transaction.atomic():
        procedures = Procedure.objects.bulk_create([Procedure(code=f"9.{i:06d}") for i in range(have, target)])
        versions = []
        for procedure in procedures:
            source = rng.choice(templates)
            version = ProcedureVersion(
                procedure=procedure,
                number=1,
                status=VersionStatus.PUBLISHED,
                name=f"{source.name} {rng.choice(suffixes)}",
                field=source.field,
                agency=source.agency,
                level=source.level,
                service_level=source.service_level,
                processing_days=source.processing_days,
                result_type=source.result_type,
                form_schema=source.form_schema,
            )
            version.refresh_search_fields()
            versions.append(version)
        ProcedureVersion.objects.bulk_create(versions)
        DocumentRequirement.objects.bulk_create([DocumentRequirement(version=v, name="Tờ khai") for v in versions])
        FeeRule.objects.bulk_create([FeeRule(version=v, name="Lệ phí", amount=10000) for v in versions])


def measure(client, path, params, repeat):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    client.get(path, params)  # warm
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


TYPOS = ["khai sih", "khaisinh", "giay phep xay dng", "dang ky ket hom", "ho chiu pho thong", "thuongtru"]


def percentiles(times):
    times = sorted(times)
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]


def baseline(repeat):
    """A bare SELECT 1 on the same connection: the floor of any query."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def typo_search(query, repeat):
    """The typo-tolerant search itself, as the list runs it for page 1: the check that the words as
    typed match nothing, the trigram correction, the search with the corrected words."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procedures.selectors import catalogue_search, search_tokens, typo_cache_key

    times, found = [], 0
    list(catalogue_search(query=query)[:20])  # warm (the vocabulary cache)
    key = typo_cache_key(search_tokens(query))
    for _ in range(repeat):
        cache.delete(key)  # time the correction itself, not its cached answer
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            found = len(list(catalogue_search(query=query)[:20]))
            times.append((time.perf_counter() - start) * 1000)
    return (*percentiles(times), found, len(captured))


def plan_indexes(query):
    """The indexes the plan of the search with the corrected words reads (EXPLAIN ANALYZE), and
    its first result."""
    import re

    from django.db import connection

    from procedures.selectors import catalogue_search

    qs = catalogue_search(query=query)[:20]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    scans = sorted(
        {m for line in plan for m in re.findall(r"(?:Index|Bitmap Index) Scan (?:Backward )?on (\w+)", line)}
    )
    seq = any("Seq Scan on procedures_procedureversion" in line for line in plan)
    first = qs.first()
    return scans, seq, first.name if first else "—"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200, help="per kind of request")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not os.environ.get("BENCH_DATABASE_URL") and url.startswith(("postgres://", "postgresql://")):
        os.environ["BENCH_DATABASE_URL"] = url
    common.use_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    fill(args.procedures)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics after the bulk load, as autovacuum would
        cursor.execute("ANALYZE")
    from procedures.models import ProcedureVersion

    print(f"catalogue: {ProcedureVersion.objects.filter(status='published').count()} published procedures, PostgreSQL")
    client = Client(HTTP_HOST="127.0.0.1")
    cases = [
        ("list page 1", "/thu-tuc/", {}),
        ("list page 50", "/thu-tuc/", {"page": 50}),
        ("filter field=HT", "/thu-tuc/", {"field": "HT"}),
        ("search 'khai sinh'", "/thu-tuc/", {"q": "khai sinh"}),
        ("search 'ĐĂNG KÝ'", "/thu-tuc/", {"q": "ĐĂNG KÝ"}),
        ("search 'giay phep xay dung'", "/thu-tuc/", {"q": "giay phep xay dung"}),
        ("search no match", "/thu-tuc/", {"q": "zzzz"}),
        # Issue 13: typos, synonyms and suggestions.
        ("typo 'khai sih'", "/thu-tuc/", {"q": "khai sih"}),
        ("typo 'giay phep xay dng'", "/thu-tuc/", {"q": "giay phep xay dng"}),
        ("synonym 'ho khau'", "/thu-tuc/", {"q": "ho khau"}),
        ("synonym 'doi bang lai'", "/thu-tuc/", {"q": "doi bang lai"}),
        ("suggest 'khai sinh cho cho'", "/thu-tuc/", {"q": "khai sinh cho cho"}),
        ("search + filters", "/thu-tuc/", {"q": "dang ky", "level": "commune", "service_level": "full"}),
        ("detail", "/thu-tuc/2.000815/", {}),
        ("home", "/", {}),
    ]
    print(f"{'request':<30} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    worst = 0.0
    for label, path, params in cases:
        p50, p95, queries = measure(client, path, params, args.requests)
        worst = max(worst, p95)
        print(f"{label:<30} {p50:8.2f} {p95:8.2f} {queries:8d}")
    print(f"worst p95: {worst:.2f} ms (target < 30 ms)")

    # The typo-tolerant search at the SQL level, against the round trip of a bare SELECT 1.
    base50, base95 = baseline(args.requests * 5)
    print()
    print(f"baseline SELECT 1: p50 {base50:.3f} ms, p95 {base95:.3f} ms")
    print(
        f"{'typo search (SQL, page 1)':<30} {'p50 ms':>8} {'p95 ms':>8} {'p50/SELECT1':>12} {'found':>6} {'queries':>8}"
    )
    typo_worst = 0.0
    for query in TYPOS:
        p50, p95, found, queries = typo_search(query, args.requests)
        typo_worst = max(typo_worst, p95)
        print(f"{repr(query):<30} {p50:8.2f} {p95:8.2f} {p50 / base50:11.1f}x {found:6d} {queries:8d}")
    print(f"typo search worst p95: {typo_worst:.2f} ms (target < 30 ms), {typo_worst / base95:.1f}x SELECT 1's p95")
    for query in TYPOS[:3]:
        scans, seq, first = plan_indexes(query)
        how = ", ".join(scans) or "no index"
        print(f"plan for {query!r}: indexes {how}{' + seq scan of versions' if seq else ''}; first result: {first}")


if __name__ == "__main__":
    main()
