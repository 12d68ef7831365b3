"""Settings of the real Celery worker that tests/integration starts (never used by the tests'
own process). Development settings, plus what base.py does not read from the environment:
emails written to files, and an optional fault injection point.

Fault injection (env MOTCUA_FAULT_PAUSE, MOTCUA_FAULT_DIR): the pool process pauses ONCE at the
named point of the real code path, after writing its pid to <dir>/paused, so that a test can
SIGKILL it there. Every completed PDF render appends a line to <dir>/renders.
  render        - dossiers.documents has produced the PDF (render_to_pdf or, for Form 01,
                  render_to_pdf_on_one_page); nothing is stored yet
  file-written  - the PDF file is in storage; its DossierDocument row is not saved yet
  stored        - dossiers.documents.dossier_document has stored the file and committed the row;
                  the task has not returned (so the message is not acknowledged)
The wrappers call the real functions: the task's own code path runs unchanged around them.
"""

import os

from portal.settings.dev import *  # noqa: F403
from portal.settings.dev import env

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")

FAULT_PAUSE = env("MOTCUA_FAULT_PAUSE", default="")
FAULT_DIR = env("MOTCUA_FAULT_DIR", default="")
FAULT_PAUSE_SECONDS = 120


def _pause_once() -> None:
    try:
        fd = os.open(os.path.join(FAULT_DIR, "paused"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # the redelivered task runs through
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    import time

    time.sleep(FAULT_PAUSE_SECONDS)  # the test kills this process here


def _record(what: str) -> None:
    with open(os.path.join(FAULT_DIR, what), "a") as log:
        log.write(f"{os.getpid()}\n")


def _install_faults(**_kwargs) -> None:
    """Wrap the real functions in the pool process (after fork, apps loaded)."""
    import dossiers.documents as documents

    real_document = documents.dossier_document

    def rendered(real):
        """Both PDF renderers of dossiers.documents (Form 01 has its own, which fits one page)."""

        def render(*args, **kwargs):
            pdf = real(*args, **kwargs)
            _record("renders")
            if FAULT_PAUSE == "render":
                _pause_once()
            return pdf

        return render

    def dossier_document(*args, **kwargs):
        document = real_document(*args, **kwargs)
        if FAULT_PAUSE == "stored":
            _pause_once()
        return document

    documents.render_to_pdf = rendered(documents.render_to_pdf)
    documents.render_to_pdf_on_one_page = rendered(documents.render_to_pdf_on_one_page)
    documents.dossier_document = dossier_document

    model = documents.DossierDocument
    real_save = model.save

    def save(self, *args, **kwargs):
        if FAULT_PAUSE == "file-written" and self.pk is None:
            _pause_once()
        return real_save(self, *args, **kwargs)

    model.save = save


if FAULT_DIR:
    from celery.signals import worker_process_init

    worker_process_init.connect(_install_faults, weak=False)
