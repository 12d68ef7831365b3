"""Start a private clamd for tests and benchmarks: a Unix socket in a folder of its own and a
signature database made from the EICAR test string alone (Debian ships no signatures)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

# The EICAR test file: what every antivirus must detect, harmless by design.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def clamd_installed() -> bool:
    return bool(_clamd() and shutil.which("sigtool"))


def _clamd() -> str | None:
    return shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)


def start_clamd(home: Path) -> tuple[subprocess.Popen, Path | None]:
    """Start clamd in `home`; the socket is None when it did not answer within 30 s."""
    (home / "db").mkdir(exist_ok=True)
    (home / "eicar.com").write_bytes(EICAR)
    signature = subprocess.run(["sigtool", "--md5", "eicar.com"], cwd=home, check=True, capture_output=True).stdout
    (home / "db" / "test.hdb").write_bytes(signature)
    socket_path = home / "clamd.sock"
    (home / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {home / 'db'}\nForeground yes\n"
        f"TemporaryDirectory {home}\nLogFile {home / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [_clamd(), "-c", str(home / "clamd.conf")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return process, (socket_path if _wait(socket_path, process) else None)


def _wait(socket_path: Path, process, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(socket_path))
                sock.sendall(b"zPING\0")
                if sock.recv(16).startswith(b"PONG"):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def stop_clamd(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
