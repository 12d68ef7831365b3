"""Benchmark: background work (figures only, nothing asserted on time).

1. Deadline sweep over 1,000,000 open dossiers on PostgreSQL (target < 10 s). The dossiers are
   generated once with one INSERT ... SELECT generate_series into a separate database
   (motcua_bench_sweep); due dates are spread so that about 15 % are overdue and a few percent
   due within the next working day. The *_notified_at columns and the outbox are reset, then
   dossiers.sweeps.deadline_sweep() is timed twice: the first run marks, the second must mark 0.
   The time includes the sweep's bulk outbox insert; the after-commit outbox_dispatch (which
   publishes the rows for a worker) is patched to a no-op for this measurement.
2. Notifications: 10,000 pending SMS Notification rows, send_notification enqueued for each,
   through ONE real worker process (prefork, concurrency 1; SMS_BACKEND=logging, dummy email
   backend) on the machine's Redis, DB 2 (redis://127.0.0.1:6379/2, flushed first); prints
   messages/s from the first enqueue until the last is sent, and the worker's own rate.
3. PDF Form 01: renders/s in one process of dossiers.documents.dossier_document(dossier,
   "form01") (the stored copy deleted between iterations to force a render) against WeasyPrint
   alone, HTML(string=...).write_pdf(), on the same HTML; prints both rates and the ratio.

Usage: .venv/bin/python bench/background.py [--dossiers 1000000] [--notifications 10000] [--renders 20]
                                            [--only sweep,notifications,pdf]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/motcua_bench_sweep) and
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/2: this DB is FLUSHED).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: E402 - sets up the path first
from common import column_sql  # noqa: E402

ROOT = common.ROOT
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_sweep")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
os.environ["DATABASE_URL"] = DB_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
os.environ["DJANGO_DEBUG"] = "false"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ["PRIVATE_MEDIA_ROOT"] = "/tmp/motcua-bench-private"
os.environ["SMS_BACKEND"] = "logging"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "WARNING")  # this process; the worker logs at INFO


# --- 1. Deadline sweep -------------------------------------------------------------------------


def generate_open(total: int) -> int:
    """`total` open dossiers (code 'S...'), made once; returns how many there are."""
    from django.db import connection

    from dossiers.models import Dossier
    from portal.models import User
    from procedures.models import Agency, ProcedureVersion

    have = Dossier.objects.filter(code__startswith="S").count()
    if have >= total:
        return have
    agencies = list(Agency.objects.values_list("pk", flat=True))
    versions = list(ProcedureVersion.objects.filter(status="published").values_list("pk", flat=True))
    specialists = list(User.objects.filter(memberships__role="specialist").values_list("pk", flat=True))
    # Every one open, weighted as a desk sees it; supplement_requested and submitted are open but
    # not the officers' to finish, so the sweep leaves them alone (submitted ones have no due date).
    open_states = (
        ["submitted"] * 3
        + ["received"] * 7
        + ["in_processing"] * 45
        + ["awaiting_approval"] * 15
        + ["supplement_requested"] * 12
        + ["consulting"] * 6
        + ["awaiting_payment"] * 6
        + ["approved"] * 5
        + ["withdrawal_requested"]
    )
    status = f"(ARRAY{open_states})[1 + (i / 7) % {len(open_states)}]"
    overrides = {
        "public_id": "gen_random_uuid()",
        "code": "'S' || lpad(i::text, 9, '0')",
        "procedure_version_id": f"(ARRAY{versions})[1 + i % {len(versions)}]",
        "applicant_name": "'Người nộp ' || i",
        "applicant_id_number": "lpad((i % 999999999999)::text, 12, '0')",
        "receiving_agency_id": f"(ARRAY{agencies})[1 + (i / 3) % {len(agencies)}]",
        "competent_agency_id": f"(ARRAY{agencies})[1 + (i / 3) % {len(agencies)}]",
        "status": status,
        "assigned_to_id": f"CASE WHEN i % 3 = 0 THEN (ARRAY{specialists})[1 + i % {len(specialists)}] END",
        "channel": "'online'",
        "delivery": "'online'",
        "created_at": "now() - interval '20 days'",
        "updated_at": "now()",
        "submitted_at": "now() - interval '20 days'",
        "received_at": f"CASE WHEN {status} <> 'submitted' THEN now() - interval '19 days' END",
        # From 150 hours ago to 850 hours ahead, hour by hour: 15 % overdue, a few % due soon.
        "due_at": f"CASE WHEN {status} <> 'submitted' THEN now() + ((i % 1000) - 150) * interval '1 hour' END",
        "fee_due": "0",
    }
    fields = [f for f in Dossier._meta.concrete_fields if f.column != "id"]
    columns = ", ".join(f.column for f in fields)
    values = ", ".join(column_sql(f, overrides) for f in fields).replace("%", "%%")  # modulo, not a placeholder
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Dossier._meta.db_table} ({columns}) "  # noqa: S608 - bench, constants only
            f"SELECT {values} FROM generate_series(%s, %s) AS i",
            [have + 1, total],
        )
    print(f"generated {total - have:,} open dossiers in {time.perf_counter() - started:.1f} s")
    return total


def reset_sweep_marks():
    """Forget every warning already given, and the outbox rows of earlier runs; vacuum."""
    from django.db import connection

    from dossiers.models import Dossier
    from portal.models import OutboxMessage

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Dossier._meta.db_table} SET due_soon_notified_at = NULL, overdue_notified_at = NULL "  # noqa: S608
            "WHERE due_soon_notified_at IS NOT NULL OR overdue_notified_at IS NOT NULL"
        )
        reset = cursor.rowcount
        cursor.execute(f"TRUNCATE {OutboxMessage._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Dossier._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {OutboxMessage._meta.db_table}")
    print(f"reset {reset:,} marked dossiers, emptied the outbox, vacuumed ({time.perf_counter() - started:.1f} s)")


def bench_sweep(total: int):
    from datetime import timedelta
    from unittest import mock

    from django.db.models import Min
    from django.utils import timezone

    from dossiers.models import Dossier
    from dossiers.sweeps import _SWEPT, deadline_sweep
    from portal.models import OutboxMessage

    generate_open(total)
    generated = Dossier.objects.filter(code__startswith="S")
    open_count = generated.count()
    reset_sweep_marks()
    # Due dates were set relative to the moment of generation (created_at + 20 days): sweeping "as
    # of" that moment keeps the shares overdue / due soon the same whenever the bench is run again.
    now = generated.aggregate(first=Min("created_at"))["first"] + timedelta(days=20)
    eligible = Dossier.objects.filter(status__in=_SWEPT)
    print(
        f"dossiers: {open_count:,} generated open ones; {eligible.count():,} in swept states, "
        f"{eligible.filter(due_at__lt=now).count():,} of them overdue as of {timezone.localtime(now):%Y-%m-%d %H:%M} "
        "(the sweep's `now`: when they were generated)"
    )
    print(
        "outbox_dispatch patched to a no-op: the sweep's time includes its UPDATEs and the bulk outbox "
        "INSERT, not publishing (the worker's job, after commit)"
    )
    with mock.patch("portal.outbox.outbox_dispatch", lambda **kwargs: 0):
        for run in (1, 2):
            started = time.perf_counter()
            result = deadline_sweep(now=now)
            elapsed = time.perf_counter() - started
            print(
                f"deadline sweep run {run}: {elapsed:6.2f} s  overdue marked {result.overdue:,}, due soon marked "
                f"{result.due_soon:,}, outbox rows now {OutboxMessage.objects.count():,}"
                + ("  (target < 10 s)" if run == 1 else "  (must mark 0)")
            )


# --- 2. Notifications through one real worker -------------------------------------------------


def start_worker(log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    log = open(log_path, "wb")  # noqa: SIM115 - kept open by the child
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--queues=default,notifications,documents",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return worker


def stop_worker(worker: subprocess.Popen):
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def bench_notifications(count: int):
    import redis
    from django.db.models import Max, Min

    from portal.models import DeliveryStatus, Notification, NotificationChannel
    from portal.tasks import send_notification

    redis.Redis.from_url(REDIS_URL).flushdb()
    Notification.objects.filter(event="bench").delete()
    stamp = int(time.time())
    made = Notification.objects.bulk_create(
        [
            Notification(
                key=f"bench:{stamp}:{n}",
                channel=NotificationChannel.SMS,
                address=f"09{n:08d}",
                event="bench",
                subject="Thông báo thử",
                body=f"Hồ sơ thử số {n} đã được tiếp nhận.",
                status=DeliveryStatus.PENDING,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    ids = [n.pk for n in made]
    batch = Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids), event="bench")
    log_path = Path(tempfile.gettempdir()) / "motcua-bench-worker.log"
    worker = start_worker(log_path)
    try:
        started = time.perf_counter()
        for pk in ids:
            send_notification.delay(pk)
        enqueued = time.perf_counter() - started
        sent = 0
        while sent < count:
            time.sleep(0.2)
            sent = batch.filter(status=DeliveryStatus.SENT).count()
            if worker.poll() is not None:
                raise SystemExit(f"the worker died:\n{log_path.read_text(errors='replace')[-3000:]}")
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"only {sent} of {count} sent after 30 minutes")
        elapsed = time.perf_counter() - started
    finally:
        stop_worker(worker)
    span = batch.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    worker_seconds = (span["last"] - span["first"]).total_seconds()
    attempts = set(batch.values_list("attempts", flat=True).distinct())
    print(
        f"notifications: {count:,} SMS (logging backend) through 1 worker process (prefork, concurrency 1), "
        f"broker {REDIS_URL}"
    )
    print(f"  enqueue: {count / enqueued:8.0f} messages/s ({enqueued:.1f} s for {count:,} send_notification.delay)")
    print(f"  end to end: {count / elapsed:8.0f} messages/s ({elapsed:.1f} s from the first enqueue to the last sent)")
    print(
        f"  worker alone: {(count - 1) / worker_seconds:8.0f} messages/s (first to last sent_at: "
        f"{worker_seconds:.1f} s); attempts per message: {sorted(attempts)}; worker log: {log_path}"
    )


# --- 3. PDF Form 01 -----------------------------------------------------------------------------


def bench_pdf(renders: int):
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from dossiers.documents import FORM_TEMPLATES, dossier_document, form_context
    from dossiers.models import Dossier, DossierDocument

    dossier = (
        Dossier.objects.filter(status="received", code__isnull=False)
        .exclude(code__startswith="S")
        .select_related("procedure_version", "receiving_agency")
        .order_by("pk")
        .first()
    )
    base_url = settings.PORTAL_BASE_URL

    def forget():
        for document in DossierDocument.objects.filter(dossier=dossier, kind="form01"):
            document.file.delete(save=False)
            document.delete()

    def portal_once() -> float:
        forget()
        started = time.perf_counter()
        document = dossier_document(dossier, "form01", base_url=base_url)
        elapsed = time.perf_counter() - started
        assert document.file.size > 0
        return elapsed

    with translation.override("vi"):
        html = render_to_string(FORM_TEMPLATES["form01"], form_context(dossier, base_url))

    def weasyprint_once() -> float:
        started = time.perf_counter()
        pdf = HTML(string=html).write_pdf()
        elapsed = time.perf_counter() - started
        assert pdf.startswith(b"%PDF")
        return elapsed

    for _ in range(2):  # warm-up: imports, fonts
        portal_once()
        weasyprint_once()
    portal, alone = [], []
    for _ in range(renders):  # interleaved, so both see the same machine
        portal.append(portal_once())
        alone.append(weasyprint_once())
    forget()
    portal_rate, alone_rate = len(portal) / sum(portal), len(alone) / sum(alone)
    print(f"PDF Form 01 of {dossier.code}, {renders} renders each, one process:")
    print(
        f"  dossier_document (query, context, QR, template, WeasyPrint, store): {portal_rate:5.2f} renders/s "
        f"(median {statistics.median(portal) * 1000:.0f} ms)"
    )
    print(
        f"  WeasyPrint alone on the same HTML:                                   {alone_rate:5.2f} renders/s "
        f"(median {statistics.median(alone) * 1000:.0f} ms)"
    )
    print(
        f"  ratio portal / WeasyPrint alone: {portal_rate / alone_rate:.2f} by rate, "
        f"{statistics.median(alone) / statistics.median(portal):.2f} by median time (aim >= 0.9)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--only", default="sweep,notifications,pdf")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    common.use_database("motcua_bench_sweep")
    import django

    django.setup()
    from django.core.management import call_command

    from demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo()  # the catalogue, agencies, staff and a few demo dossiers (idempotent)
    if "sweep" in parts:
        bench_sweep(args.dossiers)
    if "notifications" in parts:
        bench_notifications(args.notifications)
    if "pdf" in parts:
        bench_pdf(args.renders)


if __name__ == "__main__":
    main()
