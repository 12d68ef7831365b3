"""Benchmark: what PAdES B-LT adds to signing a result (figures only, nothing asserted on time).

One two-page result PDF (WeasyPrint), signed N times each, in the same run, with a throw-away
demo PKI:
1. B-B: signature only (sign_pdf(..., long_term=False)), as before issue #16 part 3;
2. B-LT, in-process TSA: RFC 3161 time stamp from the demo TSA without a socket (TSA_URL empty:
   tests, the Celery worker under `make run`) and the DSS with the demo CRL;
3. B-LT over HTTP: the same TSA behind /pki/tsa/ on a local server thread (TSA_URL set), the
   path production takes with its external TSA (whose latency comes on top);
4. verify_pdf of a B-B and of a B-LT result (the B-LT check adds the long-term validation);
5. archive_timestamp_pdf (B-LTA) on a B-LT result.
p50/p95 in milliseconds for each.

Usage: .venv/bin/python bench/signing.py [--runs 30]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import common  # noqa: F401 - sets up the path first

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"  # no database needed


def timed(label: str, runs: int, function) -> None:
    function()  # warm-up: imports, key loading, caches
    figures = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        figures.append((time.perf_counter() - start) * 1000)
    figures.sort()
    p95 = figures[min(len(figures) - 1, int(round(0.95 * len(figures))) - 1)]
    print(f"{label:<42} p50 {statistics.median(figures):7.1f} ms   p95 {p95:7.1f} ms   (n={runs})")


def serve_tsa():
    """The portal's WSGI app (so /pki/tsa/) on a loopback port, in a thread."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from weasyprint import HTML

    from portal.signing import archive_timestamp_pdf, ensure_demo_pki, sign_pdf, verify_pdf

    directory = Path(tempfile.mkdtemp(prefix="bench-pki-"))
    identity = ensure_demo_pki(directory)
    settings.RESULT_SIGNING_CERT, settings.RESULT_SIGNING_KEY = str(identity.cert), str(identity.key)
    settings.RESULT_SIGNING_CA = str(identity.ca_cert)
    settings.ALLOWED_HOSTS = ["*"]
    page = "<h1>Kết quả giải quyết thủ tục hành chính</h1>" + "<p>Giấy chứng nhận đăng ký hộ kinh doanh.</p>" * 60
    pdf = HTML(string=page).write_pdf()
    print(f"PDF of {len(pdf)} bytes; {os.cpu_count()} CPU(s); Python {sys.version.split()[0]}")

    def sign(long_term):
        return lambda: sign_pdf(pdf, reason="Kết quả", location="Thái An", long_term=long_term)

    settings.TSA_URL = ""
    timed("sign B-B (no time stamp, no DSS)", args.runs, sign(False))
    timed("sign B-LT, TSA in-process", args.runs, sign(True))
    server = serve_tsa()
    settings.TSA_URL = f"http://127.0.0.1:{server.server_port}/pki/tsa/"
    timed("sign B-LT, TSA over HTTP (loopback)", args.runs, sign(True))
    settings.TSA_URL = ""
    server.shutdown()
    baseline, long_term = sign(False)(), sign(True)()
    timed("verify_pdf B-B", args.runs, lambda: verify_pdf(baseline))
    timed("verify_pdf B-LT (with long-term check)", args.runs, lambda: verify_pdf(long_term))
    timed("archive_timestamp_pdf (B-LTA)", args.runs, lambda: archive_timestamp_pdf(long_term))
    print(f"sizes: B-B {len(baseline)} bytes, B-LT {len(long_term)} bytes")


if __name__ == "__main__":
    main()
