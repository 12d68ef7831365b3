"""A virus scanner client: clamd's INSTREAM command over a Unix socket or TCP.

Written here (about forty lines) rather than taken from PyPI's ``clamd`` 1.0.2, which has
not been released since 2014; the protocol is small and stable (clamd(8), "INSTREAM").
Settings: CLAMD_SOCKET (a Unix socket path) or CLAMD_HOST + CLAMD_PORT; neither set means
no scanner is configured, which callers show as "not scanned".
"""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd did not answer (down, too slow, or refused the stream): try again later."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_HOST", ""))


def _connect(timeout: float) -> socket.socket:
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def scan_stream(stream, *, timeout: float) -> ScanResult:
    """Send a file object's bytes to clamd and say whether it found a virus.

    `timeout` bounds every socket operation (connect, each send, the reply), so a clamd that
    hangs costs at most a few multiples of it; ScannerUnavailable means "unknown", never "clean".
    """
    try:
        with _connect(timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:  # refused, missing socket, timeout, reset (clamd closes on StreamMaxLength)
        raise ScannerUnavailable(str(error) or error.__class__.__name__) from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith(" FOUND"):
        return ScanResult(infected=True, signature=answer.removeprefix("stream:").removesuffix("FOUND").strip())
    if answer.endswith(" OK"):
        return ScanResult(infected=False)
    raise ScannerUnavailable(answer or "no reply")


def scanner_ping(*, timeout: float = 1.0) -> bool:
    """Whether clamd answers PING (health checks, the test fixture)."""
    try:
        with _connect(timeout) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False
