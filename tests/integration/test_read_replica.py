"""A real streaming replica: a private primary on a free port, `pg_basebackup -R` a standby, both
started (tests/pg_cluster.py). The indicators read from the standby; a read after a write in the
same request stays on the primary; with the standby stopped the pages still answer from the
primary and /healthz says so. Each phase runs in a process whose databases are those clusters."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import _need
from tests.pg_cluster import make_primary_and_standby, pg_bin

SCRIPT = Path(__file__).with_name("replica_script.py")


@pytest.fixture(scope="module")
def clusters():
    _need(pg_bin() is not None, "needs PostgreSQL's server binaries (apt-get install postgresql)")
    # Not under pytest's temporary folder: that is private to root, and PostgreSQL runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="motcua-replica-"))
    os.chmod(home, 0o755)
    primary, standby = make_primary_and_standby(home / "pg")
    subprocess.run(["psql", primary.url + "/postgres", "-qc", "CREATE DATABASE motcua"], check=True)
    yield primary, standby
    for cluster in (standby, primary):
        if cluster.running():
            cluster.stop()
    shutil.rmtree(home, ignore_errors=True)


def run(phase, primary, standby) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": primary.url + "/motcua",
        "DATABASE_REPLICA_URL": standby.url + "/motcua",
        "REDIS_URL": "",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run([sys.executable, str(SCRIPT), phase], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.postgres
def test_indicators_read_from_the_standby_and_survive_it_stopping(clusters):
    primary, standby = clusters
    assert run("setup", primary, standby)["dossiers"] == 3

    found = run("with_standby", primary, standby)
    assert found["public_status"] == 200
    assert found["replica_queries"] > 0 and found["primary_dossier_queries"] == 0
    assert found["healthz_replica"].startswith("ok")
    assert found["outside_scope"] == "default"  # everything else reads the primary
    assert (found["before_write"], found["after_write"]) == ("replica", "default")

    standby.stop()
    found = run("standby_stopped", primary, standby)
    assert found["public_status"] == 200 and found["primary_dossier_queries"] > 0
    assert found["healthz_status"] == 200 and found["healthz_replica"].startswith("unavailable")
