"""A private Redis and a real Celery worker process for fault tests.

The Redis is our own `redis-server` on a free loopback port (never the machine's 6379), so a
test may stop and restart it. The worker is `celery -A portal worker` (prefork, one child) on
development settings (tests/integration/worker_settings.py), connected to the same PostgreSQL
test database as the tests, which must therefore commit: django_db(transaction=True).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_SERVER = "/usr/bin/redis-server"


def wait_for(predicate, timeout: float, what, interval: float = 0.05):
    """Poll until predicate() is truthy; return its value, or fail saying what was awaited
    (`what`: a text, or a function returning one when the wait fails)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}", pytrace=False
            )
        time.sleep(interval)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server: no persistence, loopback only; stop() and start() on one port."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--save",
                "",
                "--appendonly",
                "no",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(self.ping, 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        wait_for(lambda: not self.ping(), 5, "redis-server to stop")


@pytest.fixture
def private_redis(tmp_path):
    if not Path(REDIS_SERVER).exists():
        pytest.fail(f"needs Debian's redis-server at {REDIS_SERVER} (apt-get install redis-server)", pytrace=False)
    directory = tmp_path / "redis"
    directory.mkdir()
    server = PrivateRedis(directory)
    server.start()
    yield server
    server.stop()


def _reset_publisher(app) -> None:
    """Forget pooled broker connections, so the next publish connects to the configured URL."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    # kombu keeps its pools per broker URL process-wide: forget the closed ones, or a later publish
    # to the same broker (even an eager one, which acquires a producer) finds a closed pool.
    from kombu import pools

    pools.reset()


@pytest.fixture
def publish_to_private_redis(settings, private_redis):
    """This process publishes tasks to the private Redis instead of running them eagerly."""
    from portal.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = private_redis.url
    app.conf.broker_url = private_redis.url
    app.conf.task_always_eager = False
    _reset_publisher(app)
    yield app
    app.conf.update(saved)
    _reset_publisher(app)  # after the restore: the next publish builds a fresh pool for the restored broker


def worker_database_url() -> str:
    """The URL of the PostgreSQL test database this process uses (test_<name>)."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


class Worker:
    """One `celery worker` process (prefork, concurrency 1) and its log."""

    def __init__(self, env: dict, log_path: Path):
        self.log_path = log_path
        log = open(log_path, "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--queues=default,notifications,documents",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.pid = self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, pattern: str, timeout: float, count: int = 1) -> str:
        """Wait until the log matches `pattern` (a regex) at least `count` times."""

        def seen():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.log()[-4000:]}", pytrace=False)
            return len(re.findall(pattern, self.log())) >= count

        wait_for(seen, timeout, lambda: f"{pattern!r} in the worker log:\n{self.log()[-4000:]}")
        return self.log()

    def is_child(self, pid: int) -> bool:
        return _ppid(pid) == self.pid

    def stop(self) -> None:
        """Kill the worker and its pool processes (its own session); nothing of it is kept."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


@pytest.fixture
def start_worker(transactional_db, private_redis, publish_to_private_redis, tmp_path):
    """start_worker(**env) -> a ready Worker; every worker started is killed at the end.

    Its files: tmp_path/private (PRIVATE_MEDIA_ROOT), tmp_path/mail (one file per email),
    tmp_path/faults (MOTCUA_FAULT_DIR of worker_settings), tmp_path/worker-N.log.
    """
    for folder in ("private", "mail", "faults"):
        (tmp_path / folder).mkdir(exist_ok=True)
    started = []

    def start(**extra) -> Worker:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "REDIS_", "EMAIL_", "PYTEST_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
                "DJANGO_DEBUG": "false",
                "DATABASE_URL": worker_database_url(),
                "REDIS_URL": private_redis.url,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
                "MEDIA_ROOT": str(tmp_path / "media"),
                "EMAIL_FILE_PATH": str(tmp_path / "mail"),
                "SMS_BACKEND": "logging",
                "ZALO_BACKEND": "logging",
                "MOTCUA_FAULT_DIR": str(tmp_path / "faults"),
                "PYTHONUNBUFFERED": "1",
                **extra,
            }
        )
        worker = Worker(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        worker.wait_log(r"celery@\S+ ready\.", 30)
        return worker

    yield start
    for worker in started:
        worker.stop()
