"""Benchmark: Decision 766 indicators for a province over a year of 1,000,000 dossiers (PostgreSQL).

Bulk-generates (first run only) ~50 agencies in a tree, ~300 published procedures and the
dossiers with their attachments, payments, results, ratings and supplement requests, all with
INSERT ... SELECT generate_series; refreshes the nightly snapshot (DailyCounts) up to yesterday
and prints how long that took; then times, 20+ times each, the full indicator report for the
province over the year, for one agency subtree, and the month-by-month trend, and prints
p50/p95 (target p95 < 300 ms). The same report computed live from the dossiers (no snapshot)
is timed once, for comparison.
Usage: .venv/bin/python bench/indicators.py [--dossiers 1000000] [--repeat 25]
Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/motcua_bench_ind).
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

import common  # noqa: E402 - sets up the path and the bench database first
from common import column_sql  # noqa: E402

os.environ["PRIVATE_MEDIA_ROOT"] = "/tmp/motcua-bench-private"
if "DATABASE_URL" in os.environ and "BENCH_DATABASE_URL" not in os.environ:
    os.environ["BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]


def catalogue():
    """A province, 20 departments, 29 communes (9 with a police unit below): 59 agencies; 300 procedures."""
    from procedures.models import Agency, FeeRule, Field, Procedure, ProcedureVersion

    if Agency.objects.filter(code__startswith="B.").count() >= 50:
        return
    root = Agency.objects.create(code="B.00", name="UBND tỉnh (bench)", level="province")
    departments = [Agency(code=f"B.D{n:02d}", name=f"Sở {n}", level="province", parent=root) for n in range(20)]
    communes = [Agency(code=f"B.C{n:02d}", name=f"Xã {n}", level="commune", parent=root) for n in range(29)]
    Agency.objects.bulk_create(departments + communes)
    police = [
        Agency(
            code=f"B.P{n:02d}", name=f"Công an xã {n}", level="commune", parent=Agency.objects.get(code=f"B.C{n:02d}")
        )
        for n in range(9)
    ]
    Agency.objects.bulk_create(police)
    agencies = list(Agency.objects.filter(code__startswith="B.").exclude(pk=root.pk).order_by("code"))
    field, _ = Field.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    procedures = Procedure.objects.bulk_create([Procedure(code=f"B.{n:06d}") for n in range(300)])
    versions = ProcedureVersion.objects.bulk_create(
        [
            ProcedureVersion(
                procedure=p,
                number=1,
                status="published",
                name=f"Thủ tục {n}",
                field=field,
                agency=agencies[n % len(agencies)],
                level="commune",
                service_level="full" if n % 5 else "partial",
                processing_days=3 + n % 10,
            )
            for n, p in enumerate(procedures)
        ]
    )
    FeeRule.objects.bulk_create([FeeRule(version=v, name="Lệ phí", amount=20000) for v in versions[::3]])


def generate(total: int) -> int:
    from django.db import connection, transaction

    from dossiers.models import Attachment, Dossier, StoredDocument
    from portal.models import User
    from procedures.models import ProcedureVersion

    have = Dossier.objects.filter(code__startswith="I").count()
    citizen, _ = User.objects.get_or_create(email="bench-citizen@bench.vn", defaults={"full_name": "Người nộp"})
    started = time.perf_counter()
    if have < total:
        versions = list(
            ProcedureVersion.objects.filter(procedure__code__startswith="B.")
            .order_by("pk")
            .values_list("pk", "agency_id")
        )
        n = len(versions)
        ended = (
            "(ARRAY['returned','returned','returned','returned','returned','returned','returned','returned',"
            "'finished','refused','stopped','withdrawn'])[1 + (i / 7) % 12]"
        )
        # One dossier in 33 is still open; the rest ended. Received over the last 365 days; ended
        # 0–9 days later; one in 12 late.
        overrides = {
            "public_id": "gen_random_uuid()",
            "code": "'I' || lpad(i::text, 9, '0')",
            "procedure_version_id": f"(ARRAY{[v for v, _ in versions]})[1 + i % {n}]",
            "receiving_agency_id": f"(ARRAY{[a for _, a in versions]})[1 + i % {n}]",
            "competent_agency_id": f"(ARRAY{[a for _, a in versions]})[1 + i % {n}]",
            "applicant_id": str(citizen.pk),
            "applicant_name": "'Người nộp ' || i",
            # Open: one in 33, and whatever would end after today (received in the last days).
            "status": f"CASE WHEN i % 33 = 0 OR (i / 365) % 10 > i % 365 THEN 'in_processing' ELSE {ended} END",
            "channel": "CASE WHEN i % 10 = 0 THEN 'counter' ELSE 'online' END",
            "delivery": "'online'",
            "created_at": "now() - (i % 365) * interval '1 day'",
            "updated_at": "now()",
            "submitted_at": "now() - (i % 365) * interval '1 day'",
            "received_at": "now() - (i % 365) * interval '1 day'",
            "counting_from": "now() - (i % 365) * interval '1 day'",
            "due_at": "now() - (i % 365) * interval '1 day' + interval '7 days'",
            # Ended 0–9 days after reception, never after today: ~2,700 end each day, as many as arrive.
            "finished_at": "CASE WHEN i % 33 = 0 OR (i / 365) % 10 > i % 365 THEN NULL ELSE now() "
            "- (i % 365) * interval '1 day' + ((i / 365) % 10) * interval '1 day' END",
            "timeliness": "CASE WHEN i % 33 = 0 OR (i / 365) % 10 > i % 365 THEN '' WHEN i % 12 = 0 THEN 'late' WHEN i % 3 = 0 THEN 'on_time' "
            "ELSE 'early' END",
            "fee_due": "0",
        }
        fields = [f for f in Dossier._meta.concrete_fields if f.column != "id"]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Dossier._meta.db_table} ({', '.join(f.column for f in fields)}) "  # noqa: S608
                f"SELECT {', '.join(column_sql(f, overrides) for f in fields).replace('%', '%%')} "
                "FROM generate_series(%s, %s) AS i",
                [have + 1, total],
            )
        print(f"generated {total - have:,} dossiers in {time.perf_counter() - started:.1f} s", flush=True)
    if Attachment.objects.filter(dossier__code="I000000001").exists():
        return total
    started = time.perf_counter()
    # Their attachments (one in 10 reused from the store), payments, results, ratings, supplements;
    # statements without parameters, so % is SQL's modulo.
    stored, _ = StoredDocument.objects.get_or_create(
        owner=citizen,
        document_type="Tờ khai",
        sha256="0" * 64,
        defaults={"name": "a.pdf", "file": "a.pdf", "content_type": "application/pdf", "size": 1, "source": "upload"},
    )
    attachment = {
        "dossier_id": "d.id",
        "public_id": "gen_random_uuid()",
        "name": "'a.pdf'",
        "file": "'a.pdf'",
        "content_type": "'application/pdf'",
        "size": "1",
        "sha256": "''",
        "supplement_round": "0",
        "uploaded_at": "d.received_at",
        "reused_from_id": f"CASE WHEN d.id % 10 = 0 THEN {stored.pk} END",
    }
    afields = [f for f in Attachment._meta.concrete_fields if f.column != "id"]
    scope = f"FROM {Dossier._meta.db_table} d WHERE d.code LIKE 'I%'"
    statements = [
        f"INSERT INTO dossiers_attachment ({', '.join(f.column for f in afields)}) "
        f"SELECT {', '.join(column_sql(f, attachment) for f in afields)} {scope} AND d.id % 20 <> 0",
        "INSERT INTO payments_payment (dossier_id, reference, method, amount, items, status, gateway_transaction, "
        "refunded_amount, created_at, expires_at, paid_at) SELECT d.id, 'BP' || d.id, CASE WHEN d.id % 4 = 0 "
        f"THEN 'counter' ELSE 'vnpay' END, 20000, '[]', 'paid', '', 0, d.received_at, d.received_at, d.received_at "
        f"{scope} AND d.id % 3 = 0",
        f"INSERT INTO dossiers_dossierdocument (dossier_id, kind, file, sha256, created_at) SELECT d.id, 'result', "
        f"'r.pdf', '', d.finished_at {scope} AND d.status IN ('finished', 'returned') AND d.id % 5 <> 0",
        "INSERT INTO dossiers_rating (dossier_id, time_to_result, contacts, published_information, staff_attitude, "
        "online_service, comment, created_at, updated_at) SELECT d.id, CASE WHEN d.id % 7 = 0 THEN 0 ELSE 2 END, "
        f"2, 2, 2, 1, '', now(), now() {scope} AND d.status = 'returned' AND d.id % 9 = 0",
        "INSERT INTO dossiers_supplementrequest (dossier_id, round, requested_at, items, message, answer) "
        "SELECT d.id, r, d.received_at, '[]', '', '' FROM generate_series(1, 2) AS r, "
        f"{Dossier._meta.db_table} d WHERE d.code LIKE 'I%' AND d.id % 25 = 0 AND (r = 1 OR d.id % 50 = 0)",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the visibility map, for index-only scans
    print(
        f"generated attachments, payments, results, ratings and supplement requests in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return total


def timed(label: str, fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    print(f"{label:<48} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   (x{repeat})", flush=True)
    return p95


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    common.use_database("motcua_bench_ind")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from indicators.definitions import Scope
    from indicators.models import SnapshotState
    from indicators.selectors import (
        breakdown_by_agency,
        indicator_report,
        monthly_trend,
        subtree_ids,
    )
    from indicators.services import snapshot_refresh
    from procedures.models import Agency

    call_command("migrate", verbosity=0)
    catalogue()
    total = generate(args.dossiers)
    today = timezone.localdate()
    start = today - timedelta(days=364)
    print(f"dossiers in the database: {total:,}, PostgreSQL; period {start} – {today}")

    SnapshotState.objects.all().delete()
    province = Scope(start, today)
    began = time.perf_counter()
    live = indicator_report(province)
    print(f"live only (no snapshot), province, one run: {(time.perf_counter() - began) * 1000:.0f} ms")
    began = time.perf_counter()
    rows = snapshot_refresh(start=start - timedelta(days=1))
    print(
        f"nightly snapshot refresh of the year: {rows:,} day×agency×procedure rows in "
        f"{time.perf_counter() - began:.1f} s"
    )
    assert indicator_report(province)["indicators"] == live["indicators"], "snapshot and live figures differ"
    with connection.cursor() as cursor:  # what autovacuum does after the nightly refresh, before timing
        cursor.execute("VACUUM ANALYZE indicators_dailycounts")

    commune = Agency.objects.get(code="B.C00")
    subtree = Scope(start, today, agency_ids=subtree_ids([commune.pk]))
    with CaptureQueriesContext(connection) as captured:
        indicator_report(province)
    print(f"queries per report: {len(captured)}")
    worst = max(
        timed("indicators, province, year", lambda: indicator_report(province), args.repeat),
        timed("indicators, one agency subtree, year", lambda: indicator_report(subtree), args.repeat),
        timed("month-by-month trend, province, year", lambda: monthly_trend(province), args.repeat),
        timed(
            "per-agency breakdown, province, year", lambda: breakdown_by_agency(province, parent_id=None), args.repeat
        ),
    )
    print(f"worst p95: {worst:.1f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
