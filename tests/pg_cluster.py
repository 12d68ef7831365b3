"""Private PostgreSQL clusters for tests and benchmarks: a primary on a free port and a streaming
standby made from it with `pg_basebackup -R`, as a province runs them (STACK-NOTES)."""

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str], **kwargs):
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self):
        _as_postgres(
            [
                str(pg_bin() / "pg_ctl"),
                "-D",
                str(self.directory),
                "-l",
                str(self.directory / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def stop(self):
        _as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(self.directory), "-m", "fast", "-w", "stop"])

    def running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False


def make_primary_and_standby(home: Path) -> tuple[Cluster, Cluster]:
    """initdb a primary, start it, pg_basebackup -R a standby on another port, start it."""
    bin_dir = pg_bin()
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    primary = Cluster(home / "primary", _free_port())
    _as_postgres(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(primary.directory),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    with (primary.directory / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{home}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = off\nshared_buffers = 64MB\n"
        )
    primary.start()
    standby = Cluster(home / "standby", _free_port())
    _as_postgres(
        [
            str(bin_dir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(standby.directory),
            "-R",
            "-X",
            "stream",
        ]
    )
    with (standby.directory / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {standby.port}\n")
    standby.start()
    deadline = time.monotonic() + 30
    while not standby.running() and time.monotonic() < deadline:
        time.sleep(0.2)
    return primary, standby
