"""Benchmark: what the virus scan adds to an upload (figures only, nothing asserted on time).

A 2 MB PDF (one page and a 2 MB image of random bytes, like a phone scan) is, N times each:
1. sent to a socket that speaks INSTREAM and discards the bytes: the bare cost of moving them;
2. scanned through clamd (portal/scanner.py's client): CLAMD_SOCKET, or a private clamd started
   here with the EICAR-only database of the tests (a production database of several million
   signatures costs more: run with CLAMD_SOCKET pointing at the real one to see it);
3. checked for JavaScript and launch actions (portal/pdf_actions.py);
4. put through the whole check_upload (size, SHA-256, scan, type, PDF actions) with the scanner,
   and without one (the embedded default).
p50/p95 in milliseconds for each.

Usage: .venv/bin/python bench/virus_scan.py [--runs 50] [--size-mb 2]
"""

import argparse
import io
import os
import socket
import statistics
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import common  # noqa: F401 - sets up the path first

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"  # no database needed


def make_pdf(size: int) -> bytes:
    from pyhanko.pdf_utils import generic as g
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter(stream_xrefs=True)
    image = writer.add_object(
        g.StreamObject(
            {
                g.NameObject("/Type"): g.NameObject("/XObject"),
                g.NameObject("/Subtype"): g.NameObject("/Image"),
                g.NameObject("/Width"): g.NumberObject(1024),
                g.NameObject("/Height"): g.NumberObject(size // 3072),
                g.NameObject("/ColorSpace"): g.NameObject("/DeviceRGB"),
                g.NameObject("/BitsPerComponent"): g.NumberObject(8),
            },
            stream_data=os.urandom(size),
        )
    )
    writer.insert_page(
        g.DictionaryObject(
            {
                g.NameObject("/Type"): g.NameObject("/Page"),
                g.NameObject("/MediaBox"): g.ArrayObject([g.NumberObject(n) for n in (0, 0, 595, 842)]),
                g.NameObject("/Resources"): g.DictionaryObject(
                    {g.NameObject("/XObject"): g.DictionaryObject({g.NameObject("/Im0"): image})}
                ),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def discarding_server(path: str) -> None:
    """A stand-in clamd that reads the INSTREAM chunks, keeps nothing and answers OK."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)

    def serve():
        while True:
            conn, _ = server.accept()
            with conn, conn.makefile("rb") as stream:
                stream.read(10)  # zINSTREAM\0
                while (length := struct.unpack("!L", stream.read(4))[0]) > 0:
                    stream.read(length)
                conn.sendall(b"stream: OK\0")

    threading.Thread(target=serve, daemon=True).start()


def timed(label: str, runs: int, work) -> None:
    work()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{label:<58} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--size-mb", type=float, default=2.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.pdf_actions import pdf_active_content
    from portal.scanner import scan_stream
    from portal.uploads import check_upload
    from tests.clamd import clamd_installed, start_clamd, stop_clamd

    data = make_pdf(int(args.size_mb * 1024 * 1024))
    print(f"PDF of {len(data) / 1024 / 1024:.2f} MB, {args.runs} runs each", flush=True)
    home = Path(tempfile.mkdtemp(prefix="bench-clamd-"))
    process = None
    clamd = os.environ.get("CLAMD_SOCKET")
    if not clamd:
        if not clamd_installed():
            sys.exit("needs ClamAV (apt-get install clamav-daemon) or CLAMD_SOCKET")
        process, path = start_clamd(home)
        clamd = str(path) if path else sys.exit("clamd did not start")
    discard = str(home / "discard.sock")
    discarding_server(discard)
    try:
        settings.CLAMD_HOST = ""
        settings.CLAMD_SOCKET = discard
        timed(
            "1. bytes to a discarding INSTREAM socket (baseline)",
            args.runs,
            lambda: scan_stream(io.BytesIO(data), timeout=30),
        )
        settings.CLAMD_SOCKET = clamd
        timed(
            f"2. clamd INSTREAM scan ({'CLAMD_SOCKET' if process is None else 'EICAR-only database'})",
            args.runs,
            lambda: scan_stream(io.BytesIO(data), timeout=30),
        )
        timed("3. PDF action check (pypdf, every object)", args.runs, lambda: pdf_active_content(io.BytesIO(data)))
        timed("4a. check_upload with clamd", args.runs, lambda: check_upload(SimpleUploadedFile("scan.pdf", data)))
        settings.CLAMD_SOCKET = ""
        timed(
            "4b. check_upload without a scanner (embedded default)",
            args.runs,
            lambda: check_upload(SimpleUploadedFile("scan.pdf", data)),
        )
    finally:
        if process is not None:
            stop_clamd(process)


if __name__ == "__main__":
    main()
