"""Benchmark: submitting dossiers through the real views, and a busy applicant's list.

1. Submission (issue 3): form + two 200 KB attachments through the real views served by one
   gunicorn worker on PostgreSQL; prints submissions/s, requests/s and queries per submission
   for a 4-field and a 40-field form (the count must not grow with the fields).
2. An applicant with 10,000 dossiers: first page of "My dossiers", p50/p95 (target < 50 ms).
Usage: .venv/bin/python bench/dossier_submission.py [--submissions 40]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/motcua_bench).
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

import common  # noqa: E402 - sets up the path and the bench database first

ROOT = common.ROOT
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ["PRIVATE_MEDIA_ROOT"] = "/tmp/motcua-bench-private"
PASSWORD = "Bench-Mat-khau-2026"
PDF_200K = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
PNG_200K = b"\x89PNG\r\n\x1a\n" + b"\x00" * (200 * 1024)


def setup_data():
    from demo.seed import DEMO_CATALOGUE
    from portal.models import User
    from procedures.catalogue_io import import_catalogue
    from procedures.models import Agency, Field, Procedure, ProcedureVersion
    from procedures.services import procedure_version_publish

    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    versions = {}
    for fields in (4, 40):
        code = f"8.{fields:06d}"
        version = ProcedureVersion.objects.filter(procedure__code=code, status="published").first()
        if version is None:
            procedure = Procedure.objects.create(code=code)
            version = ProcedureVersion.objects.create(
                procedure=procedure,
                number=1,
                name=f"Thủ tục đo tải {fields} trường",
                field=Field.objects.first(),
                agency=Agency.objects.get(code="000.20.00.H99"),
                level="commune",
                processing_days=3,
                form_schema=[
                    {"name": f"f{i}", "label": f"Trường {i}", "type": "text", "required": True, "max_length": 100}
                    for i in range(fields)
                ],
            )
            version.documents.create(name="Tờ khai", position=0)
            version.documents.create(name="Giấy tờ tùy thân", position=1)
            version = procedure_version_publish(version=version)
        versions[fields] = version
    user = User.objects.filter(email="bench@example.vn").first()
    if user is None:
        user = User.objects.create_user(
            email="bench@example.vn",
            password=PASSWORD,
            full_name="Công ty Đo Tải",
            personal_id="001099000001",
            phone="0999000001",
            address="Số 9, Trung Tâm",
        )
    return versions, user


def submit_once(session, base, version, csrf):
    """One citizen submission over HTTP: start, fill + upload, review, submit. Returns requests made."""
    start = session.get(f"{base}/thu-tuc/{version.procedure.code}/nop/", allow_redirects=True)
    draft_url = start.url
    docs = list(version.documents.order_by("position"))
    data = {
        "csrfmiddlewaretoken": csrf,
        "action": "review",
        "d-delivery": "online",
        "a-applicant_name": "Công ty Đo Tải",
        "a-applicant_id_number": "001099000001",
        "a-applicant_phone": "0999000001",
        "a-applicant_email": "bench@example.vn",
        "a-applicant_address": "Số 9, Trung Tâm",
    }
    data.update({f"f-{spec['name']}": "giá trị" for spec in version.form_schema})
    files = [
        (f"files-{docs[0].pk}", ("to-khai.pdf", PDF_200K, "application/pdf")),
        (f"files-{docs[1].pk}", ("cccd.png", PNG_200K, "image/png")),
    ]
    review = session.post(draft_url, data=data, files=files, allow_redirects=True, headers={"Referer": draft_url})
    assert "/xem-lai/" in review.url, review.url
    done = session.post(review.url, data={"csrfmiddlewaretoken": csrf}, headers={"Referer": review.url})
    assert re.search(r"/ho-so/000\.20\.00\.H99-\d{6}-\d{4}/$", done.url), done.url
    return 5  # start + redirect, draft post + redirect to review, submit + redirect (each GET followed)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(versions, submissions):
    import requests

    port = free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        session = requests.Session()
        session.get(f"{base}/tai-khoan/dang-nhap/")
        csrf = session.cookies["csrftoken"]
        session.post(
            f"{base}/tai-khoan/dang-nhap/",
            data={"username": "bench@example.vn", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base}/tai-khoan/dang-nhap/"},
        )
        csrf = session.cookies["csrftoken"]
        for fields, version in versions.items():
            submit_once(session, base, version, csrf)  # warm-up
            started = time.perf_counter()
            requests_made = sum(submit_once(session, base, version, csrf) for _ in range(submissions))
            elapsed = time.perf_counter() - started
            print(
                f"HTTP, 1 gunicorn worker, {fields:>2}-field form: {submissions / elapsed:6.1f} submissions/s, "
                f"{requests_made / elapsed:6.1f} requests/s ({elapsed / submissions * 1000:.0f} ms per submission)"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


def queries_per_submission(versions, user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for fields, version in versions.items():
        with CaptureQueriesContext(connection) as captured:
            started = client.get(f"/thu-tuc/{version.procedure.code}/nop/")
            assert started.status_code == 302, (started.status_code, started.content[:300])
            draft_url = started["Location"]
            docs = list(version.documents.order_by("position"))
            data = {
                "action": "review",
                "d-delivery": "online",
                "a-applicant_name": "Công ty Đo Tải",
                "a-applicant_id_number": "001099000001",
                "a-applicant_phone": "0999000001",
                "a-applicant_email": "bench@example.vn",
                "a-applicant_address": "Số 9",
                f"files-{docs[0].pk}": SimpleUploadedFile("a.pdf", PDF_200K),
                f"files-{docs[1].pk}": SimpleUploadedFile("b.png", PNG_200K),
            }
            data.update({f"f-{spec['name']}": "x" for spec in version.form_schema})
            review_url = client.post(draft_url, data)["Location"]
            response = client.post(review_url)
        assert response.status_code == 302 and "/ho-so/" in response["Location"]
        print(f"queries per submission (draft + 2 uploads + review + submit), {fields:>2}-field form: {len(captured)}")


def bench_applicant_list(user, total=10_000, repeat=200):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dossiers.models import Dossier

    have = Dossier.objects.filter(applicant=user).count()
    if have < total:
        template = Dossier.objects.filter(applicant=user).exclude(code=None).first()
        from django.utils import timezone

        now = timezone.now()
        Dossier.objects.bulk_create(
            [
                Dossier(
                    procedure_version_id=template.procedure_version_id,
                    applicant=user,
                    code=f"BENCH-{have + i:07d}",
                    applicant_name=user.full_name,
                    receiving_agency_id=template.receiving_agency_id,
                    competent_agency_id=template.competent_agency_id,
                    status="submitted",
                    submitted_at=now,
                )
                for i in range(total - have)
            ],
            batch_size=2000,
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/ho-so/")
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/ho-so/")
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    count = Dossier.objects.filter(applicant=user).count()
    print(
        f"My dossiers, first page, applicant with {count} dossiers: p50 {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, {len(captured)} queries (target p95 < 50 ms)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=40)
    args = parser.parse_args()
    common.use_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    versions, user = setup_data()
    bench_http(versions, args.submissions)
    queries_per_submission(versions, user)
    bench_applicant_list(user)


if __name__ == "__main__":
    main()
