"""Benchmark: retention listing and destruction (figures only, nothing asserted on time).

1. `retention_list_due` over N closed dossiers (default 200,000, generated once with one
   INSERT ... SELECT generate_series into motcua_bench_retention), half of them closed 11-12
   years ago (due), half last year; the destruction list is emptied first, then the listing is
   timed twice: the first run lists the due half, the second must list 0 (idempotent).
2. `destruction_execute` of D approved entries (default 200), one at a time, each with a message
   and an event: ms per dossier (p50, p95), files deleted after commit on the filesystem storage.

Usage: .venv/bin/python bench/retention.py [--dossiers 200000] [--destroy 200]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/motcua_bench_retention).
"""

import argparse
import os
import statistics
import time

import common  # noqa: E402 - sets up the path first
from common import column_sql  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_retention")
os.environ["BENCH_DATABASE_URL"] = DB_URL
common.use_database("motcua_bench_retention")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ["PRIVATE_MEDIA_ROOT"] = "/tmp/motcua-bench-retention-private"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def generate(total: int) -> int:
    from django.db import connection

    from dossiers.models import Dossier
    from procedures.models import Agency, ProcedureVersion

    have = Dossier.objects.filter(code__startswith="R").count()
    if have >= total:
        return have
    agencies = list(Agency.objects.values_list("pk", flat=True))
    versions = list(
        ProcedureVersion.objects.filter(status="published", retention_permanent=False).values_list("pk", flat=True)
    )
    ended = "CASE WHEN i % 2 = 0 THEN now() - interval '11 years' - (i % 365) * interval '1 day' ELSE now() - interval '1 year' END"
    overrides = {
        "public_id": "gen_random_uuid()",
        "code": "'R' || lpad(i::text, 9, '0')",
        "procedure_version_id": f"(ARRAY{versions})[1 + i % {len(versions)}]",
        "applicant_name": "'Người nộp ' || i",
        "applicant_id_number": "lpad((i % 999999999999)::text, 12, '0')",
        "applicant_phone": "'09' || lpad((i % 99999999)::text, 8, '0')",
        "receiving_agency_id": f"(ARRAY{agencies})[1 + (i / 3) % {len(agencies)}]",
        "competent_agency_id": f"(ARRAY{agencies})[1 + (i / 3) % {len(agencies)}]",
        "status": "(ARRAY['returned','returned','returned','refused','stopped','withdrawn'])[1 + (i / 2) % 6]",
        "channel": "'online'",
        "delivery": "'online'",
        "form_data": "jsonb_build_object('ho_ten', 'Người ' || i)",
        "created_at": f"{ended} - interval '10 days'",
        "updated_at": "now()",
        "submitted_at": f"{ended} - interval '10 days'",
        "received_at": f"{ended} - interval '9 days'",
        "due_at": f"{ended} + interval '1 day'",
        "finished_at": ended,
        "returned_at": ended,
        "fee_due": "0",
    }
    fields = [f for f in Dossier._meta.concrete_fields if f.column != "id"]
    columns = ", ".join(f.column for f in fields)
    values = ", ".join(column_sql(f, overrides) for f in fields).replace("%", "%%")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Dossier._meta.db_table} ({columns}) "  # noqa: S608 - bench, constants only
            f"SELECT {values} FROM generate_series(%s, %s) AS i",
            [have + 1, total],
        )
        cursor.execute(f"ANALYZE {Dossier._meta.db_table}")
    print(f"generated {total - have:,} closed dossiers in {time.perf_counter() - started:.1f} s")
    return total


def bench_listing() -> None:
    from retention.models import DestructionCase, DestructionRecord
    from retention.services import retention_list_due

    if DestructionRecord.objects.exists():
        print("(destruction records exist from an earlier run: those dossiers stay destroyed)")
    DestructionCase.objects.exclude(state="destroyed").delete()
    for run in (1, 2):
        started = time.perf_counter()
        listed = retention_list_due()
        print(f"retention_list_due run {run}: listed {listed:,} in {time.perf_counter() - started:.2f} s")


def bench_destroy(count: int) -> None:
    from django.core.files.base import ContentFile
    from django.db import transaction

    from dossiers.models import DossierDocument, DossierEvent, DossierMessage
    from portal.models import User
    from portal.storage import PRIVATE
    from retention.models import DestructionCase
    from retention.services import destruction_execute

    leader = User.objects.filter(email="bench-leader@bench.vn").first() or User.objects.create_user(
        email="bench-leader@bench.vn", password="Bench-Mat-khau-2026", full_name="Lãnh đạo (bench)"
    )
    cases = list(DestructionCase.objects.filter(state="listed").select_related("dossier").order_by("pk")[:count])
    names = []
    for case in cases:
        DossierMessage.objects.create(dossier=case.dossier, author=leader, from_applicant=False, body="Tin nhắn")
        DossierEvent.objects.create(dossier=case.dossier, kind="message", comment="Ghi chú", to_status="returned")
        document = DossierDocument(dossier=case.dossier, kind="form05", sha256="0" * 64)
        document.file.save("form05.pdf", ContentFile(b"%PDF-1.4 bench"), save=False)
        document.save()
        names.append(document.file.name)
    DestructionCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        state="approved", decided_by=leader, decided_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    timings = []
    for case in cases:
        started = time.perf_counter()
        with transaction.atomic():
            destruction_execute(case_id=case.pk)
        timings.append((time.perf_counter() - started) * 1000)
    left = sum(PRIVATE.exists(name) for name in names)
    timings.sort()
    print(
        f"destruction_execute x{len(cases)}: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms per dossier; files left in storage: {left}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--destroy", type=int, default=200)
    args = parser.parse_args()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from demo.seed import DEMO_CATALOGUE
    from procedures.catalogue_io import import_catalogue

    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    generate(args.dossiers)
    bench_listing()
    bench_destroy(args.destroy)


if __name__ == "__main__":
    main()
