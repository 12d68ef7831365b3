"""Benchmark: what the access log costs a dossier's desk page, with and without it, in one run.

The desk officer of the demo commune opens the desk page of a demo dossier; runs alternate (ABBA) between
the real view (one DossierAccess INSERT per page) and the same view with the recording switched off,
so that the machine's load weighs on both alike. Also times the INSERT alone. Prints p50/p95 of
both and the difference; never fails on time. The issue asks: at most 2 ms more at p95.
Usage: .venv/bin/python bench/access_log.py [--runs 200]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/motcua_bench_access_log).
"""

import argparse
import statistics
import time

import common  # noqa: E402 - sets up the path and the bench database first


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    common.use_database("motcua_bench_access_log")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo.seed import DEMO_ACCOUNTS, seed_demo
    from dossiers import access, officer_views
    from dossiers.models import Dossier, DossierAccess
    from portal.models import User

    seed_demo()
    desk = User.objects.get(email=DEMO_ACCOUNTS[1][0])
    dossier = Dossier.objects.filter(status="in_processing").exclude(code=None).first()
    url = f"/can-bo/ho-so/{dossier.code}/"
    client = common.staff_client(desk)
    real = officer_views.dossier_access_record
    for _ in range(10):  # warm up templates, caches, connections
        assert client.get(url).status_code == 200
    timings = {"with": [], "without": []}
    for n in range(args.runs * 2):
        variant = "with" if n % 4 in (0, 3) else "without"  # ABBA: neither always goes first
        officer_views.dossier_access_record = real if variant == "with" else (lambda **kwargs: None)
        started = time.perf_counter()
        response = client.get(url)
        timings[variant].append(time.perf_counter() - started)
        assert response.status_code == 200
    officer_views.dossier_access_record = real
    inserts = []
    for _ in range(args.runs):
        started = time.perf_counter()
        access.dossier_access_record(user=desk, dossier=dossier, what="page")
        inserts.append(time.perf_counter() - started)
    print(f"desk page {url}, {args.runs} runs each, alternating (PostgreSQL)")
    for variant in ("without", "with"):
        print(
            f"  {variant:>7} access log: p50 {_p(timings[variant], 0.5):6.2f} ms   p95 {_p(timings[variant], 0.95):6.2f} ms"
        )
    print(
        f"  difference at p95: {_p(timings['with'], 0.95) - _p(timings['without'], 0.95):+.2f} ms"
        f" (p50 {_p(timings['with'], 0.5) - _p(timings['without'], 0.5):+.2f} ms)"
    )
    print(f"  the INSERT alone: p50 {_p(inserts, 0.5):.2f} ms   p95 {_p(inserts, 0.95):.2f} ms")
    print(
        f"  mean page: {statistics.mean(timings['with']) * 1000:.2f} vs {statistics.mean(timings['without']) * 1000:.2f} ms"
    )
    DossierAccess.objects.filter(staff=desk).delete()


if __name__ == "__main__":
    main()
