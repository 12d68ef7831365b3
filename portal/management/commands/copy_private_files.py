"""Copy the private files from local disk to the object storage, checking every SHA-256.

    PRIVATE_STORAGE_BUCKET=… manage.py copy_private_files [--source DIR]

Run it once when moving a portal onto object storage, before the web and workers switch over (and
again after, for files written meanwhile): a file already in the bucket with the same bytes is left
as it is, one with other bytes is reported and not overwritten. Exit status 1 when any file failed.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from portal.storage import is_object_storage

CHUNK = 1024 * 1024


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Copy private files from local disk to the object storage and check every SHA-256."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default=settings.PRIVATE_MEDIA_ROOT, help="the local folder (PRIVATE_MEDIA_ROOT)"
        )

    def handle(self, *args, source, **options):
        target = storages["private"]
        if not is_object_storage(target):
            raise CommandError("The private storage is not object storage: set PRIVATE_STORAGE_BUCKET (and its keys).")
        root = Path(source)
        if not root.is_dir():
            raise CommandError(f"No such folder: {root}")
        copied = present = failed = 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            with path.open("rb") as stream:
                local = sha256_of(stream)
            if target.exists(name):
                with target.open(name, "rb") as stream:
                    remote = sha256_of(stream)
                if remote == local:
                    present += 1
                else:
                    failed += 1
                    self.stderr.write(f"DIFFERENT {name}: the bucket holds other bytes; left as it is")
                continue
            with path.open("rb") as stream:
                saved = target.save(name, File(stream, name=path.name))
            with target.open(saved, "rb") as stream:
                remote = sha256_of(stream)
            if saved != name or remote != local:
                failed += 1
                self.stderr.write(f"FAILED {name}: stored as {saved}, SHA-256 {remote} instead of {local}")
            else:
                copied += 1
        self.stdout.write(f"copied {copied}, already there {present}, failed {failed}")
        if failed:
            raise CommandError(f"{failed} file(s) were not copied intact")
