"""Two web processes behind HAProxy (Debian's), sharing PostgreSQL, Redis (sessions) and the S3
server: a session made on one works on the other, an upload made through one downloads through the
other, and HAProxy spreads requests over both. bench/load.py drives the same setup harder."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.conftest import _need
from tests.dossiers.factories import PDF_BYTES, CitizenFactory, birth_procedure
from tests.s3 import ACCESS_KEY, BUCKET, SECRET_KEY

from .conftest import ROOT, _free_port, wait_for, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
PASSWORD = "Mat-khau-hai-may-2026"


def answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz/live", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def web_hosts(s3_endpoint, tmp_path):
    """Two gunicorn web processes on their own ports and HAProxy in front; yields the three ports."""
    _need(Path(HAPROXY).exists(), "needs HAProxy (apt-get install haproxy)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PRIVATE_STORAGE_BUCKET": BUCKET,
        "PRIVATE_STORAGE_ENDPOINT_URL": s3_endpoint,
        "PRIVATE_STORAGE_REGION": "us-east-1",
        "PRIVATE_STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
        "PRIVATE_STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    ports, processes = [_free_port(), _free_port()], []
    for number, port in enumerate(ports, 1):
        log = open(tmp_path / f"web{number}.log", "ab")  # noqa: SIM115 - kept open by the child
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    front = _free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        "global\n  maxconn 256\n"
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
        f"frontend portal\n  bind 127.0.0.1:{front}\n  default_backend web\n"
        "backend web\n  balance roundrobin\n  option httpchk GET /healthz/live\n"
        "  http-check send hdr Host 127.0.0.1\n  http-response set-header X-Served-By %s\n"
        + "".join(f"  server web{n} 127.0.0.1:{port} check inter 1s\n" for n, port in enumerate(ports, 1))
    )
    proxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for port in ports:
            wait_for(lambda port=port: answers(port), 60, lambda: (tmp_path / "web1.log").read_text()[-2000:])
        wait_for(lambda: answers(front), 20, "HAProxy in front of both")
        time.sleep(2)  # both servers pass HAProxy's first health checks
        yield {"web1": ports[0], "web2": ports[1], "front": front}
    finally:
        proxy.terminate()
        for process in processes:
            process.terminate()
        for process in [proxy, *processes]:
            process.wait(10)


def sign_in(session: requests.Session, port: int, email: str) -> None:
    url = f"http://127.0.0.1:{port}/tai-khoan/dang-nhap/"
    session.get(url, timeout=10)
    response = session.post(
        url,
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]


def test_a_session_and_a_file_cross_from_one_web_host_to_the_other(web_hosts):
    from dossiers import services
    from dossiers.models import Attachment

    citizen = CitizenFactory(email="hai.may@example.vn")
    # The web hosts run the development settings: PBKDF2, not the tests' fast MD5 hasher.
    citizen.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    citizen.save()
    draft = services.dossier_draft_start(applicant=citizen, version=birth_procedure())
    web1, web2 = (f"http://127.0.0.1:{web_hosts[name]}" for name in ("web1", "web2"))

    browser = requests.Session()
    sign_in(browser, web_hosts["web1"], citizen.email)
    mine = browser.get(f"{web2}/ho-so/", allow_redirects=False, timeout=10)
    assert mine.status_code == 200, "the session made on web1 is known to web2 (sessions in Redis)"

    upload = browser.post(
        f"{web1}/api/v1/dossiers/{draft.public_id}/attachments/",
        data={"requirement": "other"},
        files={"file": ("giay-to-hai-may.pdf", PDF_BYTES, "application/pdf")},
        headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": web1 + "/"},
        timeout=30,
    )
    assert upload.status_code == 201, upload.text[:500]
    attachment = Attachment.objects.get(dossier=draft)
    download = browser.get(f"{web2}/ho-so/tep/{attachment.public_id}/", timeout=30)
    assert download.status_code == 200 and download.content == PDF_BYTES

    served = {
        browser.get(f"http://127.0.0.1:{web_hosts['front']}/ho-so/", timeout=10).headers["X-Served-By"]
        for _ in range(6)
    }
    assert served == {"web1", "web2"}, "HAProxy sends requests to both hosts; the session holds on each"
