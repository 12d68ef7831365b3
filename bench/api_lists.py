"""Benchmark: the API's list endpoints on PostgreSQL, called with a token like an integrator.

Seeds dossiers with the officer-queue benchmark's generator (one INSERT ... SELECT, first run
only), gives the demo citizen a share of them, then calls each list endpoint (catalogue, my
dossiers, officer queue views, inbox) through Django's test client many times and prints p50/p95
and the queries per page, for page sizes 1 and 20 (a constant number of queries per page).
Target (issue): p95 < 50 ms.
Usage: .venv/bin/python bench/api_lists.py [--dossiers 200000] [--requests 50]
"""

import argparse
import os
import statistics
import time

import common  # noqa: E402 - sets up the path and the bench database first

os.environ["PRIVATE_MEDIA_ROOT"] = "/tmp/motcua-bench-private"
os.environ["API_THROTTLE_CLIENT"] = "100000000/hour"  # measure the endpoints, not the limiter


def seed(total: int):
    import officer_queue
    from django.db import connection

    from dossiers.models import Dossier
    from portal.models import User

    people = officer_queue.staff()
    officer_queue.generate(total)
    citizen = User.objects.get(email="congdan@demo.motcua.vn")
    if not Dossier.objects.filter(applicant=citizen, code__startswith="Q").exists():
        with connection.cursor() as cursor:  # one generated dossier in 1,000 is the demo citizen's
            cursor.execute(
                f"UPDATE {Dossier._meta.db_table} SET applicant_id = %s "  # noqa: S608 - constants
                "WHERE code LIKE 'Q%%' AND id %% 1000 = 0",
                [citizen.pk],
            )
            cursor.execute("ANALYZE")
    people["citizen"] = citizen
    return people


def token(user) -> str:
    from portal.models import ApiClient

    client, _ = ApiClient.objects.get_or_create(name=f"bench {user.email}", user=user)
    return client.issue_token()[1]


def measure(client, url, params, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, response.content[:300]
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], len(captured), response.json()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    common.use_database("motcua_bench_api")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from dossiers.models import Dossier

    call_command("migrate", verbosity=0)
    people = seed(args.dossiers)
    print(f"dossiers in the database: {Dossier.objects.count():,}, PostgreSQL; {args.requests} requests each")
    cases = [
        ("anonymous", "/api/v1/procedures/", {}),
        ("anonymous", "/api/v1/procedures/", {"q": "khai sinh"}),
        ("anonymous", "/api/v1/agencies/", {}),
        ("citizen", "/api/v1/dossiers/", {}),
        ("citizen", "/api/v1/dossiers/", {"status": "returned"}),
        ("citizen", "/api/v1/notifications/", {}),
        ("receptionist", "/api/v1/queue/", {}),
        ("receptionist", "/api/v1/queue/", {"view": "to_receive"}),
        ("specialist", "/api/v1/queue/", {"view": "mine"}),
        ("leader", "/api/v1/queue/", {"view": "overdue"}),
    ]
    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for role in ("citizen", "receptionist", "specialist", "leader"):
        clients[role] = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token(people[role])}")
    print(f"{'who':<13} {'endpoint':<42} {'p50 ms':>7} {'p95 ms':>7} {'q/1':>4} {'q/20':>5}  rows")
    worst = 0.0
    for who, url, params in cases:
        _p50, _p95, queries_one, _body = measure(clients[who], url, {**params, "page_size": 1}, 5)
        p50, p95, queries, body = measure(clients[who], url, {**params, "page_size": 20}, args.requests)
        worst = max(worst, p95)
        label = url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(f"{who:<13} {label:<42} {p50:7.1f} {p95:7.1f} {queries_one:4d} {queries:5d}  {body.get('count')}")
    print(f"worst p95: {worst:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
