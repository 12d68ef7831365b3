"""Benchmark: officer queue search by a name typed without diacritics, over 1,000,000 dossiers
on PostgreSQL.

Generates the dossiers as bench/officer_queue.py does, but with realistic Vietnamese names
(family x middle x given: each name is shared by ~400 dossiers, ~12 of them open) and their
search key; then prints p50/p95 of the queue page searched by a name without diacritics, by
a partial ID number and by a code, and the EXPLAIN plan's indexes. Target (issue 13): p95 < 20 ms.
Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_search \\
       .venv/bin/python bench/queue_search.py [--dossiers 1000000] [--requests 50]
"""

import argparse
import statistics
import time

import common  # noqa: E402 - sets up the path and the bench database first
import officer_queue  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = [
    "Mai", "Lan", "Hoa", "Hùng", "Dũng", "Tuấn", "Hương", "Thảo", "Linh", "Trang",
    "Nam", "Sơn", "Hải", "Hà", "Phương", "Anh", "Bình", "Cường", "Đạt", "Giang",
    "Khánh", "Long", "My", "Nhung", "Oanh", "Phúc", "Quân", "Tâm", "Uyên", "Yến",
]  # fmt: skip


def name_columns():
    """SQL for applicant_name and its search key (dossiers/search.py's format) of row i."""
    from procedures.search import normalize_search

    def sql(plain):
        f, m, g = ([normalize_search(w) for w in words] if plain else words for words in (FAMILY, MIDDLE, GIVEN))
        return (
            f"(ARRAY{f})[1 + i % {len(f)}] || ' ' || (ARRAY{m})[1 + (i / {len(f)}) % {len(m)}] || ' ' || "
            f"(ARRAY{g})[1 + (i / {len(f) * len(m)}) % {len(g)}]"
        )

    code = "'Q' || lpad(i::text, 9, '0')"
    id_number = "lpad((i % 999999999999)::text, 12, '0')"
    return {
        "applicant_name": sql(plain=False),
        "search_key": f"{sql(plain=True)} || ' ' || lower({code}) || ' ' || {id_number}",
    }


def p95(times):
    times = sorted(times)
    return times[max(int(len(times) * 0.95) - 1, 0)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    common.use_database("motcua_search_bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = officer_queue.staff()
    total = officer_queue.generate(args.dossiers, extra=name_columns())
    from dossiers.models import Dossier
    from dossiers.selectors import officer_queue as queue

    sample = Dossier.objects.filter(code__startswith="Q", applicant_name="Lê Thị Mai").first()
    print(f"dossiers in the database: {total:,}, PostgreSQL; 'Lê Thị Mai' has {sample and sample.search_key!r}")
    client = common.staff_client(people["receptionist"])
    cases = [
        ("name 'le thi mai'", {"q": "le thi mai"}),
        ("name 'LE THI MAI'", {"q": "LE THI MAI"}),
        ("name 'nguyen van hung'", {"q": "nguyen van hung"}),
        ("partial ID '00001234'", {"q": "00001234"}),
        ("code 'q000012345'", {"q": "q000012345"}),
        ("no match 'zzzz'", {"q": "zzzz"}),
    ]
    print(
        f"{'search (receptionist, all open)':<34} {'query p50':>9} {'query p95':>9} {'page p50':>9} {'page p95':>9}  rows"
    )
    worst = worst_page = 0.0
    for label, params in cases:
        client.get("/can-bo/ho-so/", params)
        page_times, query_times = [], []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get("/can-bo/ho-so/", params)
            page_times.append((time.perf_counter() - start) * 1000)
            qs, _ = queue(people["receptionist"], view="all", q=params["q"])
            start = time.perf_counter()
            list(qs[:25])  # the search itself: the first page of matches, due first
            query_times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        query_p95, page_p95 = p95(query_times), p95(page_times)
        worst, worst_page = max(worst, query_p95), max(worst_page, page_p95)
        rows = queue(people["receptionist"], view="all", q=params["q"])[0].count()
        print(
            f"{label:<34} {statistics.median(query_times):9.1f} {query_p95:9.1f} "
            f"{statistics.median(page_times):9.1f} {page_p95:9.1f}  {rows}"
        )
    print(
        f"worst p95: search {worst:.1f} ms (target < 20 ms); whole page, rendered, with the view counts {worst_page:.1f} ms"
    )
    qs, _ = queue(people["receptionist"], view="all", q="le thi mai")
    plan = qs[:25].explain()
    used = sorted({w.strip('"') for line in plan.splitlines() for w in line.split() if w.strip('"').endswith("_idx")})
    print("EXPLAIN (receptionist, all open, 'le thi mai', first page): indexes used:", ", ".join(used) or "none")
    print("\n".join("    " + line for line in plan.splitlines()[:16]))


if __name__ == "__main__":
    main()
