"""deploy/restore-drill.sh against the test database: a pg_dump restored into a fresh private
cluster agrees with the source (row counts, every file's SHA-256), and a file whose bytes changed
in the storage makes it fail."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import _need
from tests.dossiers.factories import DossierFactory
from tests.pg_cluster import pg_bin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DRILL = Path(__file__).resolve().parents[2] / "deploy" / "restore-drill.sh"


def source_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def drill(media: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRIVATE_STORAGE_")}
    env["PRIVATE_MEDIA_ROOT"] = str(media)
    return subprocess.run(["bash", str(DRILL), source_url()], env=env, capture_output=True, text=True, timeout=300)


def copy_private_files_to(folder: Path) -> None:
    from django.core.files.storage import storages

    from dossiers.models import Attachment, DossierDocument, OfficerFile, StoredDocument
    from payments.models import Receipt

    storage = storages["private"]
    for model in (Attachment, StoredDocument, DossierDocument, OfficerFile, Receipt):
        for name in model.objects.exclude(file="").values_list("file", flat=True):
            if storage.exists(name) and not (folder / name).exists():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                with storage.open(name) as f:
                    (folder / name).write_bytes(f.read())


def test_the_drill_restores_and_checks_counts_and_file_hashes(tmp_path):
    from dossiers.models import Attachment, Dossier, DossierDocument, StoredDocument

    _need(pg_bin() is not None and shutil.which("psql") is not None, "needs PostgreSQL's server binaries")
    dossier = DossierFactory(state="submitted")
    for n, content in enumerate([b"%PDF-1.4 mot\n", b"%PDF-1.4 hai\n"]):
        name = f"attachments/drill/{n}.pdf"
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
        Attachment.objects.create(
            dossier=dossier,
            file=name,
            name=f"{n}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    copy_private_files_to(tmp_path)  # the factories' files live in the tests' in-memory storage
    good = drill(tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "VERDICT: OK" in good.stdout
    dossiers = next(line for line in good.stdout.splitlines() if line.strip().startswith("dossiers_dossier "))
    assert dossiers.split()[1:4] == [str(Dossier.objects.count())] * 3
    named = Attachment.objects.count() + StoredDocument.objects.count() + DossierDocument.objects.count()
    assert f"{named} match their sha256, 0 do not" in good.stdout

    (tmp_path / "attachments/drill/1.pdf").write_bytes(b"%PDF-1.4 altered\n")
    bad = drill(tmp_path)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "MISMATCH dossiers_attachment" in bad.stdout and "VERDICT: FAILED" in bad.stdout
