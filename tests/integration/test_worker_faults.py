"""Faults with a real Redis and a real worker process: a pool process killed mid-task, and the
broker down while a citizen submits. The effect must happen exactly once, and nothing is lost."""

import hashlib
import os
import re
import signal
from pathlib import Path

import pytest

from dossiers import services
from dossiers.models import DossierDocument
from portal.models import DeliveryStatus, Notification, NotificationChannel, OutboxMessage
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

from .conftest import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def submitted_dossier():
    citizen = CitizenFactory()
    dossier = services.dossier_submit(dossier=filled_draft(citizen, birth_procedure()), actor=citizen)
    return citizen, dossier


def stored_files(private_root: Path) -> list[Path]:
    return sorted(path for path in private_root.rglob("*.pdf") if path.is_file())


@pytest.mark.parametrize(
    "killed_when",
    ["render", "file-written", "stored"],
    ids=["killed-while-rendering", "killed-after-file-write", "killed-before-ack"],
)
def test_pool_process_killed_mid_task_redelivers_and_stores_the_form_once(start_worker, tmp_path, killed_when):
    """SIGKILL the pool process inside the real render_dossier_form (paused at a point of the
    real code path by tests/integration/worker_settings.py): acks_late + reject_on_worker_lost
    put the message back, the next pool process runs it again, and the dossier still has
    exactly one Form 01 (one row, one file)."""
    from dossiers.tasks import render_dossier_form

    worker = start_worker(MOTCUA_FAULT_PAUSE=killed_when)
    _citizen, dossier = submitted_dossier()
    faults, private = tmp_path / "faults", tmp_path / "private"

    task_id = render_dossier_form.delay(dossier.pk, "form01").id
    paused = faults / "paused"
    wait_for(lambda: paused.exists() and paused.read_text(), 30, f"the task to pause at {killed_when!r}")
    child = int(paused.read_text())
    assert worker.is_child(child), f"pid {child} is not a pool process of worker {worker.pid}"
    rows_before, files_before = DossierDocument.objects.filter(dossier=dossier).count(), len(stored_files(private))
    # render: nothing stored yet; file-written: the file, not the row; stored: both, the message unacknowledged
    assert (rows_before, files_before) == {"render": (0, 0), "file-written": (0, 1), "stored": (1, 1)}[killed_when]
    os.kill(child, signal.SIGKILL)

    log = worker.wait_log(rf"render_dossier_form\[{task_id}\] succeeded", 30)
    assert "WorkerLostError" in log or "SIGKILL" in log  # the first run really died
    assert len(re.findall(rf"Task dossiers.tasks.render_dossier_form\[{task_id}\] received", log)) == 2
    assert worker.process.poll() is None  # the worker itself survived and replaced its child

    documents = list(DossierDocument.objects.filter(dossier=dossier))
    assert [d.kind for d in documents] == ["form01"]
    stored = private / documents[0].file.name
    content = stored.read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == documents[0].sha256
    # Killed before the row was committed: rendered again. Killed after: the stored one is kept.
    renders = (faults / "renders").read_text().split()
    assert len(renders) == {"render": 2, "file-written": 2, "stored": 1}[killed_when]
    orphans = [path.relative_to(private).as_posix() for path in stored_files(private) if path != stored]
    assert orphans == []  # a retry overwrites what the killed render left at the same path


def test_broker_down_at_submission_loses_nothing(start_worker, private_redis, tmp_path):
    """Redis is down when a citizen submits: the submission succeeds and its outbox row waits;
    when Redis is back the sweep's dispatch publishes it and the worker notifies the applicant."""
    from portal.outbox import outbox_dispatch

    worker = start_worker()
    citizen = CitizenFactory()
    draft = filled_draft(citizen, birth_procedure())

    private_redis.stop()
    dossier = services.dossier_submit(dossier=draft, actor=citizen)

    assert dossier.code and dossier.status == "submitted"
    waiting = OutboxMessage.objects.get(topic="dossier.event", published_at__isnull=True)
    assert waiting.attempts == 1 and waiting.last_error  # the after-commit dispatch tried and failed
    assert not Notification.objects.exists()

    private_redis.start()  # same port, empty: what was queued before the outage is gone
    # The worker's consumer reconnects (kombu retries every 2 s, then 4 s, ...).
    worker.wait_log(rf"Connected to redis://\S*127\.0\.0\.1:{private_redis.port}/0", 30, count=2)
    assert outbox_dispatch() == 1  # what the beat sweep (portal.tasks.outbox_sweep) runs every minute
    waiting.refresh_from_db()
    assert waiting.published_at is not None

    def email_sent():
        return Notification.objects.filter(
            dossier_code=dossier.code, channel=NotificationChannel.EMAIL, status=DeliveryStatus.SENT
        ).first()

    email = wait_for(email_sent, 30, "the applicant's email notification to be sent")
    assert email.address == citizen.email and email.attempts == 1
    channels = sorted(Notification.objects.filter(dossier_code=dossier.code).values_list("channel", flat=True))
    assert channels == sorted([NotificationChannel.INBOX, NotificationChannel.EMAIL])
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 1
    text = mails[0].read_text()
    assert f"To: {citizen.email}" in text
    assert worker.process.poll() is None
