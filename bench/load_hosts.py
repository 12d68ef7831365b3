"""The hosts of bench/load.py: two web hosts and one worker host, each in its own network
namespace, behind HAProxy in the root namespace.

Layout (as root, `ip netns` available):

    root namespace                         namespaces (one veth each, on bridge mcl-br0)
    HAProxy  127.0.0.1:<front>  ─ http ─▶   mcl-web1   10.77.0.11:8000  gunicorn
             10.77.0.1:5432 ─ tcp ─▶ PostgreSQL 127.0.0.1:5432
             10.77.0.1:6379 ─ tcp ─▶ Redis 127.0.0.1:6379          mcl-web2   10.77.0.12:8000  gunicorn
    s3rver   10.77.0.1:<s3>                                        mcl-worker 10.77.0.21        celery worker + beat

The hosts reach the shared services only through the bridge address 10.77.0.1: PostgreSQL and
Redis keep listening on loopback (other people use them) and HAProxy forwards TCP from the
bridge address to them; s3rver listens on the bridge address itself. Without root or `ip netns`
the same processes run in the root namespace on different loopback ports (`netns` False).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
BRIDGE, GATEWAY = "mcl-br0", "10.77.0.1"
HOSTS = {"web1": "10.77.0.11", "web2": "10.77.0.12", "worker": "10.77.0.21"}


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def netns_down() -> None:
    """Remove the namespaces and the bridge (also those a killed earlier run left)."""
    for name in HOSTS:
        _ip("netns", "del", f"mcl-{name}", check=False)
    _ip("link", "del", BRIDGE, check=False)


def netns_up() -> str | None:
    """Make the bridge and one namespace per host; None when done, else why it could not be."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        return "not root (or no `ip`)"
    netns_down()
    try:
        _ip("link", "add", BRIDGE, "type", "bridge")
        _ip("addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
        _ip("link", "set", BRIDGE, "up")
        for name, address in HOSTS.items():
            namespace, veth = f"mcl-{name}", f"mclv-{name}"
            _ip("netns", "add", namespace)
            _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            _ip("link", "set", veth, "master", BRIDGE, "up")
            _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
            _ip("-n", namespace, "link", "set", "eth0", "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
    except subprocess.CalledProcessError as error:
        netns_down()
        return f"`{' '.join(error.cmd)}` failed: {error.stderr.strip()}"
    return None


class Hosts:
    """Start and stop the processes; `front` is HAProxy's URL for the load generator."""

    def __init__(self, workdir: Path, *, netns: bool, database: str, redis_db: int, web_workers: int):
        self.workdir, self.netns, self.web_workers = workdir, netns, web_workers
        self.database, self.redis_db = database, redis_db
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.front_port = free_port()
        self.admin_socket = workdir / "haproxy.sock"
        if netns:
            self.service_host = GATEWAY
            self.web = {name: (HOSTS[name], 8000) for name in ("web1", "web2")}
        else:
            self.service_host = "127.0.0.1"
            self.web = {name: ("127.0.0.1", free_port()) for name in ("web1", "web2")}
        self.s3_port = free_port()
        self.extra_env: dict = {}

    @property
    def front(self) -> str:
        return f"http://127.0.0.1:{self.front_port}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.service_host}:{self.s3_port}"

    def host_env(self) -> dict:
        """The environment of every host (as tests/integration/test_two_web_hosts.py sets it)."""
        from tests.s3 import ACCESS_KEY, SECRET_KEY

        via = self.service_host
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"postgres://postgres@{via}:5432/{self.database}",
            "REDIS_URL": f"redis://{via}:6379/{self.redis_db}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost," + ",".join(HOSTS.values()),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # HAProxy appends the address it saw; the load generator plays an outer proxy (a CDN)
            # that wrote each simulated citizen's address first, so per-IP limits see many people.
            "TRUSTED_PROXY_COUNT": "2",
            "PRIVATE_STORAGE_BUCKET": "motcua-load",
            "PRIVATE_STORAGE_ENDPOINT_URL": self.s3_endpoint,
            "PRIVATE_STORAGE_REGION": "us-east-1",
            "PRIVATE_STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
            "PRIVATE_STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
            **self.extra_env,
        }

    def _spawn(self, name: str, command: list[str], env: dict | None = None, namespace: str | None = None):
        if namespace and self.netns:
            command = ["ip", "netns", "exec", namespace, *command]
        log = self.workdir / f"{name}.log"
        self.logs[name] = log
        with log.open("ab") as out:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or os.environ,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole
            )

    def start_s3(self, data_dir: Path) -> None:
        from tests.s3 import s3rver_bin

        binary = s3rver_bin()
        if binary is None:
            raise SystemExit("s3rver not found: npm install --prefix var/tools s3rver@3.7.1")
        data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "s3rver",
            [binary, "-d", str(data_dir), "-a", self.service_host, "-p", str(self.s3_port), "--silent"]
            + ["--no-vhost-buckets", "--configure-bucket", "motcua-load"],
        )
        self._wait(lambda: _connects(self.service_host, self.s3_port), 30, "s3rver")

    def start_haproxy(self) -> None:
        tcp = ""
        if self.netns:  # the shared services, reachable from the namespaces at the bridge address
            for service, port in (("postgres", 5432), ("redis", 6379)):
                tcp += (
                    f"listen {service}\n  mode tcp\n  bind {GATEWAY}:{port}\n  timeout client 2h\n"
                    f"  timeout server 2h\n  server local 127.0.0.1:{port}\n"
                )
        servers = "".join(
            f"  server {name} {address}:{port} maxconn {4 * self.web_workers} check inter 1s fall 2 rise 1"
            " observe layer4 error-limit 1 on-error mark-down\n"
            for name, (address, port) in self.web.items()
        )
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            f"global\n  maxconn 2000\n  stats socket {self.admin_socket} level admin\n  log stdout format raw local0\n"
            "defaults\n  mode http\n  log global\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n"
            "  timeout queue 60s\n  timeout check 10s\n  retries 3\n  option redispatch 1\n"
            "  retry-on conn-failure empty-response\n"
            f"frontend portal\n  bind 127.0.0.1:{self.front_port}\n  option httplog\n  option dontlog-normal\n  option forwardfor\n  default_backend web\n"
            "backend web\n  balance roundrobin\n  option httpchk GET /healthz/live\n"
            "  http-check send hdr Host 127.0.0.1\n  http-response set-header X-Served-By %s\n" + servers + tcp
        )
        self._spawn("haproxy", [HAPROXY, "-f", str(config), "-db"])
        self._wait(lambda: _connects("127.0.0.1", self.front_port), 20, "HAProxy")

    def start_web(self, name: str) -> None:
        address, port = self.web[name]
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"{address}:{port}"]
        command += ["--workers", str(self.web_workers), "--log-level", "warning", "--timeout", "60"]
        self._spawn(name, command, self.host_env(), namespace=f"mcl-{name}")

    def start_worker(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat", "--loglevel=warning"]
        command += ["--concurrency=1", "--queues=default,notifications,documents"]
        command += ["--schedule", str(self.workdir / "beat-schedule")]
        self._spawn("worker", command, self.host_env(), namespace="mcl-worker")

    def wait_web(self, name: str) -> None:
        address, port = self.web[name]
        url = f"http://{address}:{port}/healthz/live"
        self._wait(lambda: _answers(url), 90, name)

    def set_server(self, name: str, state: str) -> None:
        """HAProxy's runtime API: 'ready' or 'maint' for one web host."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.admin_socket))
            sock.sendall(f"set server web/{name} state {state}\n".encode())
            sock.recv(4096)

    def served_up(self) -> list[str]:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.admin_socket))
            sock.sendall(b"show servers state web\n")
            text = b""
            while chunk := sock.recv(65536):
                text += chunk
        up = []
        for line in text.decode().splitlines():
            parts = line.split()
            if len(parts) > 5 and parts[3] in self.web and parts[5] == "2":  # srv_op_state 2: running
                up.append(parts[3])
        return up

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user + system) of a host's processes so far: its process group in /proc."""
        process = self.processes.get(name)
        return group_cpu_seconds(process.pid) if process else 0.0

    def kill(self, name: str) -> None:
        """SIGKILL a host's whole process group, as a machine that loses power."""
        process = self.processes[name]
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)

    def stop_all(self) -> None:
        for _name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def _wait(self, check, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        log = self.logs.get(what)
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise SystemExit(f"{what} did not come up in {seconds:.0f} s\n{tail}")


def group_cpu_seconds(pgid: int) -> float:
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; utime, stime, cutime, cstime follow at 11..14
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5, headers={"Host": "127.0.0.1"}).status_code == 200
    except requests.RequestException:
        return False
