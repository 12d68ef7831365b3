"""Run by tests/integration/test_read_replica.py in a process of its own, whose DATABASE_URL is a
private primary and DATABASE_REPLICA_URL its streaming standby. Prints one JSON line of findings."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from portal import replica  # noqa: E402


def replayed(table: str, count: int) -> bool:
    with connections["replica"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table name
        return cursor.fetchone()[0] >= count


def setup():
    call_command("migrate", verbosity=0)
    from dossiers.models import Dossier
    from tests.dossiers.factories import DossierFactory

    for _ in range(3):
        DossierFactory(state="received")
    # The first indicators page builds the working-day table on the primary (a write: that request
    # reads the primary throughout); later ones find it replayed on the standby.
    assert Client().get("/minh-bach/").status_code == 200
    from indicators.models import WorkingDay

    count, days = Dossier.objects.count(), WorkingDay.objects.using("default").count()
    deadline = time.monotonic() + 30
    while not (replayed("dossiers_dossier", count) and replayed(WorkingDay._meta.db_table, days)):
        if time.monotonic() > deadline:
            raise SystemExit("the standby did not replay the primary within 30 s")
        time.sleep(0.2)
    return {"dossiers": count, "working_days": days}


def with_standby():
    from dossiers.models import Dossier
    from portal.replica import PRIMARY, REPLICA, read_alias, replica_reads

    client = Client()
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get("/minh-bach/")
    findings = {
        "public_status": response.status_code,
        "replica_queries": len(on_replica.captured_queries),
        "primary_dossier_queries": sum("dossiers_dossier" in q["sql"] for q in on_primary.captured_queries),
        "healthz_replica": client.get("/healthz").json()["checks"]["replica"],
        "outside_scope": read_alias(),
    }

    @replica_reads
    def write_then_read():
        before = read_alias()
        dossier = Dossier.objects.first()  # read: the replica
        dossier.save(update_fields=["updated_at"] if hasattr(dossier, "updated_at") else None)  # a write
        return before, read_alias()

    findings["before_write"], findings["after_write"] = write_then_read()
    return findings


def standby_stopped():
    from portal.replica import PRIMARY

    client = Client()
    with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
        response = client.get("/minh-bach/")
    return {
        "public_status": response.status_code,
        "primary_dossier_queries": sum("dossiers_dossier" in q["sql"] for q in on_primary.captured_queries),
        "healthz_status": client.get("/healthz").status_code,
        "healthz_replica": client.get("/healthz").json()["checks"]["replica"],
    }


if __name__ == "__main__":
    phase = sys.argv[1]
    result = {"setup": setup, "with_standby": with_standby, "standby_stopped": standby_stopped}[phase]()
    print("RESULT " + json.dumps(result))
    _ = replica  # imported for its signal receiver
