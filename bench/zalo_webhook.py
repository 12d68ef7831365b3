"""Benchmark: the Zalo OA webhook, which must answer within Zalo's 2 seconds.

Prints the p50/p95/max time of a signed `user_send_text` event through the whole request (the
signature check, the assistant's answer, the rows and the outbox write; the reply itself goes
out after commit in a worker, so it is not timed: the outbox dispatch is stubbed out here), and
of a replay. Throw-away SQLite database with the demo catalogue, like bench/assistant.py.
Usage: .venv/bin/python bench/zalo_webhook.py
"""

import json
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
DB = Path(tempfile.mkdtemp(prefix="motcua-bench-zalo-")) / "db.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.pop("REDIS_URL", None)


def main():
    import django

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.test import Client

    from assistant.zalo import zalo_mac
    from procedures.catalogue_io import import_catalogue
    from tests.assistant.evaluation import load

    call_command("migrate", verbosity=0)
    import_catalogue((ROOT / "procedures" / "fixtures" / "catalogue.json").read_text(encoding="utf-8"))
    questions, off_topic = load()
    texts = [q["q"] for q in questions] + [q["q"] for q in off_topic]
    client = Client(HTTP_HOST="127.0.0.1")

    def post(text, msg_id, user):
        from django.conf import settings

        body = json.dumps(
            {
                "app_id": settings.ZALO_OA_APP_ID,
                "event_name": "user_send_text",
                "timestamp": str(int(time.time() * 1000)),
                "sender": {"id": user},
                "recipient": {"id": "oa"},
                "message": {"text": text, "msg_id": msg_id},
            },
            ensure_ascii=False,
        ).encode()
        mac = zalo_mac(body, json.loads(body)["timestamp"])
        started = time.perf_counter()
        response = client.post(
            "/zalo/webhook/", body, content_type="application/json", headers={"X-ZEvent-Signature": f"mac={mac}"}
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content
        return elapsed, response.json()["status"]

    with mock.patch("portal.outbox.outbox_dispatch"):  # the worker's part, after commit
        post("lam passport", "warm", "u0")
        timings, replays = [], []
        for n, text in enumerate(texts * 3):
            elapsed, status = post(text, f"m{n}", f"u{n % 20}")  # 20 users: follow-ups in context
            assert status == "answered"
            timings.append(elapsed)
        for n in range(50):
            elapsed, status = post("lam passport", f"m{n}", "u0")
            assert status == "duplicate"
            replays.append(elapsed)
    timings.sort()
    replays.sort()
    print(f"events: {len(timings)} answered, {len(replays)} replays")
    print(
        f"answered: p50 {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, "
        f"max {timings[-1]:.1f} ms (Zalo waits 2000 ms)"
    )
    print(f"replay: p50 {statistics.median(replays):.1f} ms, p95 {replays[int(len(replays) * 0.95)]:.1f} ms")


if __name__ == "__main__":
    main()
