"""Benchmark: archive packages (archive/).

1. Building the package of a typical dossier (5 attachments, 2 MB in all, returned with its
   Form 01 and signed result): p50 / p95 of `package_build` (render the bag, seal it, zip it,
   store it, mark it built) over the dossiers of part 2.
2. Archiving N ended dossiers with one worker (one process calling the service the Celery task
   calls, one after the other): packages per second. N defaults to 10,000; scale it down with
   `--dossiers N` (the count used is printed).

The dossiers are copies (rows, not files) of one dossier taken through the real services, so each
package renders its application PDF, Form 05 and seal afresh, and reads its 2 MB of attachments
from the private storage. Runs on a throw-away SQLite database and temporary storage
(`--postgres`: the bench PostgreSQL of bench/common.py, BENCH_DATABASE_URL).
Usage: .venv/bin/python bench/archive.py [--dossiers 200] [--postgres]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.pop("REDIS_URL", None)
WORK = Path(tempfile.mkdtemp(prefix="motcua-bench-archive-"))
os.environ["PRIVATE_MEDIA_ROOT"] = str(WORK / "private")
os.environ["ARCHIVE_MEDIA_ROOT"] = str(WORK / "archive")
os.environ["LOG_LEVEL"] = "WARNING"
FILES, FILE_SIZE = 5, 2 * 1024 * 1024 // 5


def typical_dossier():
    """A returned dossier with 5 attachments of 400 KB (incompressible, like scans)."""
    import hashlib

    from django.conf import settings
    from django.core.files.base import ContentFile

    from dossiers.constants import DossierStatus
    from dossiers.documents import dossier_document
    from dossiers.models import Attachment
    from portal.constants import ScanStatus
    from tests.dossiers.factories import DossierFactory, birth_procedure, with_steps

    dossier = DossierFactory(state=DossierStatus.RETURNED, version=with_steps(birth_procedure()))
    requirement = dossier.procedure_version.documents.first()
    dossier.attachments.all().delete()
    for number in range(FILES):
        data = b"%PDF-1.4\n" + os.urandom(FILE_SIZE - 9)
        attachment = Attachment(
            dossier=dossier,
            requirement=requirement,
            name=f"ban-scan-{number + 1}.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            scan_status=ScanStatus.UNSCANNED,
        )
        attachment.file.save(attachment.name, ContentFile(data), save=False)
        attachment.save()
    # What the documents worker has stored by the time the dossier ends: Form 01 and the result.
    for kind in ("form01", "result"):
        dossier_document(dossier, kind, base_url=settings.PORTAL_BASE_URL)
    return dossier


def copies(dossier, count: int) -> list[int]:
    """`count` ended dossiers like `dossier`: its rows copied (events, attachments, stored forms),
    its files shared."""
    import copy
    import uuid

    from dossiers.models import Attachment, Dossier, DossierDocument, DossierEvent

    events = list(DossierEvent.objects.filter(dossier=dossier))
    attachments = list(Attachment.objects.filter(dossier=dossier))
    documents = list(DossierDocument.objects.filter(dossier=dossier))
    ids = []
    for start in range(0, count, 500):
        batch = []
        for number in range(start, min(count, start + 500)):
            clone = copy.copy(dossier)
            clone.pk = clone.id = None
            clone.public_id = uuid.uuid4()
            clone.code = f"{dossier.code[:-5]}-B{number:06d}"
            batch.append(clone)
        made = Dossier.objects.bulk_create(batch)
        rows = {DossierEvent: [], Attachment: [], DossierDocument: []}
        for clone in made:
            for model, originals in ((DossierEvent, events), (Attachment, attachments), (DossierDocument, documents)):
                for original in originals:
                    row = copy.copy(original)
                    row.pk = row.id = None
                    row.dossier_id = clone.pk
                    if hasattr(row, "public_id"):
                        row.public_id = uuid.uuid4()
                    rows[model].append(row)
        for model, objects in rows.items():
            model.objects.bulk_create(objects)
        ids += [clone.pk for clone in made]
    return ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        import common

        common.use_database("motcua_bench_archive")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'db.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from archive.models import ArchivePackage
    from archive.services import package_build, package_verify
    from dossiers.models import Dossier
    from portal.signing import ensure_demo_pki

    call_command("migrate", verbosity=0)
    ensure_demo_pki(Path(settings.RESULT_SIGNING_CA).parent)
    original = typical_dossier()
    ids = copies(original, args.dossiers)
    print(f"database: {django.db.connection.vendor}; dossiers: {len(ids)} ended copies of {original.code}")

    timings = []
    started = time.perf_counter()
    for pk in ids:
        dossier = Dossier.objects.get(pk=pk)
        t0 = time.perf_counter()
        package_build(dossier=dossier)
        timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    sample = ArchivePackage.objects.filter(dossier_id=ids[0]).get()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(
        f"package of a typical dossier ({FILES} files, {FILES * FILE_SIZE / 1e6:.1f} MB; zip {sample.size / 1e6:.2f} MB, "
        f"{sample.payload_oxum} bytes.files): p50 {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    print(
        f"archiving {len(ids)} ended dossiers with one worker: {len(ids) / elapsed:.2f} packages/s "
        f"({elapsed:.1f} s; at that rate 10,000 take {10_000 / (len(ids) / elapsed) / 3600:.1f} h)"
    )
    t0 = time.perf_counter()
    assert package_verify(package=sample).ok
    print(f"archive_verify of one package: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
