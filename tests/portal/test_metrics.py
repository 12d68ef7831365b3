"""/metrics in Prometheus' text format, parsed with prometheus_client's own parser: requests,
database, Celery tasks and the business gauges; only with the bearer token. Request ids on
responses, log lines and the tasks a request publishes."""

import json
import logging
import os

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from dossiers.constants import DossierStatus
from portal.logs import JsonFormatter
from portal.models import DeliveryStatus, Notification, NotificationChannel, OutboxMessage
from portal.request_id import RequestIdFilter, current
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-0123456789abcdef0123456789"


def scrape(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def samples(family, **labels):
    return [s for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN + "x"])
def test_metrics_need_the_token(client, metrics_on, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert client.get("/metrics", **extra).status_code == 404


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_requests_and_database_are_measured(client, metrics_on):
    client.get("/healthz/live")
    families = scrape(client)
    by_view = families["django_http_responses_total_by_status_view_method"]
    assert samples(by_view, view="healthz_live", status="200")
    assert "django_http_requests_latency_seconds_by_view_method" in families
    executed = families["django_db_execute"]
    assert sum(s.value for s in samples(executed, alias="default") if s.name.endswith("_total")) > 0


def test_business_gauges_count_open_and_overdue_dossiers_per_agency(client, metrics_on, office):
    dossier = DossierFactory(state=DossierStatus.RECEIVED, people=office)
    late = DossierFactory(state=DossierStatus.RECEIVED, people=office)
    type(late).objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(days=1))
    agency = dossier.competent_agency.code
    OutboxMessage.objects.create(topic="dossier.event", payload={})
    Notification.objects.create(
        key="k1", channel=NotificationChannel.SMS, event="received", subject="s", body="b", status=DeliveryStatus.FAILED
    )
    families = scrape(client)
    open_ = samples(families["motcua_dossiers_open"], agency=agency)
    overdue = samples(families["motcua_dossiers_overdue"], agency=agency)
    assert [s.value for s in open_] == [2.0] and [s.value for s in overdue] == [1.0]
    assert families["motcua_outbox_backlog"].samples[0].value >= 1
    assert samples(families["motcua_notifications_failed"], channel="sms")[0].value == 1.0


def test_celery_tasks_are_counted_with_their_outcome(client, metrics_on):
    from portal.tasks import idempotency_purge

    def purges(families):
        family = families.get("motcua_celery_tasks")
        wanted = samples(family, task="portal.tasks.idempotency_purge", outcome="success") if family else []
        return sum(s.value for s in wanted if s.name.endswith("_total"))

    start = purges(scrape(client))
    idempotency_purge.delay()
    families = scrape(client)
    assert purges(families) == start + 1
    durations = samples(families["motcua_celery_task_duration_seconds"], task="portal.tasks.idempotency_purge")
    assert any(s.name.endswith("_count") and s.value >= 1 for s in durations)


@pytest.mark.redis
def test_queue_depth_per_queue(client, metrics_on, settings):
    import redis

    settings.REDIS_URL = os.environ["REDIS_URL"]
    connection = redis.Redis.from_url(settings.REDIS_URL)
    connection.delete("documents")
    connection.rpush("documents", b"{}", b"{}")
    try:
        depth = scrape(client)["motcua_celery_queue_depth"]
        assert samples(depth, queue="documents")[0].value == 2.0
    finally:
        connection.delete("documents")


def test_a_request_id_is_given_back_kept_from_the_proxy_or_made(client):
    made = client.get("/healthz/live")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID="lb-7f3a9c12e4")["X-Request-ID"] == "lb-7f3a9c12e4"
    forged = client.get("/healthz/live", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert "<" not in forged and len(forged) == 32


def test_log_lines_are_json_with_the_request_id():
    token = current.set("req-1234abcd")
    try:
        record = logging.LogRecord("dossiers", logging.WARNING, __file__, 1, "Hồ sơ %s", ("H99-261201-0001",), None)
        RequestIdFilter().filter(record)
    finally:
        current.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1234abcd" and line["message"] == "Hồ sơ H99-261201-0001"
    assert line["level"] == "WARNING" and line["logger"] == "dossiers"


def test_a_task_published_during_a_request_carries_its_id():
    """Celery's real publishing path (kombu's in-memory transport): the id rides in the headers."""
    from portal.celery import app

    token = current.set("req-5678efgh")
    try:
        with app.connection_for_write("memory://") as connection:
            app.send_task("portal.tasks.idempotency_purge", connection=connection, queue="default")
            message = connection.SimpleQueue("default").get(timeout=5)
    finally:
        current.reset(token)
    assert message.headers["request_id"] == "req-5678efgh"
    assert message.headers["task"] == "portal.tasks.idempotency_purge"


def _names_in(expression: str) -> set[str]:
    import re

    words = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", re.sub(r'"[^"]*"|\{[^}]*\}|\[[^\]]*\]', "", expression)))
    return {w for w in words if w.startswith(("django_", "motcua_"))}


def test_alert_rules_and_the_dashboard_use_only_metrics_we_expose(client, metrics_on, settings):
    """A renamed metric fails here instead of silencing an alert or blanking a panel."""
    from pathlib import Path

    import yaml

    client.get("/healthz/live")
    from portal.tasks import idempotency_purge

    idempotency_purge.delay()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    families = list(text_string_to_metric_families(response.content.decode()))
    # Sample names, and family names (a gauge with no sample yet, e.g. queue depth without Redis).
    exposed = {s.name for f in families for s in f.samples} | {f.name for f in families}
    exposed |= {"motcua_replica_lag_seconds", "motcua_replica_usable"}  # only with DATABASE_REPLICA_URL
    exposed |= {"django_db_execute_total"}  # the PostgreSQL and SQLite backends of django-prometheus
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    rules = yaml.safe_load((deploy / "prometheus" / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((deploy / "grafana" / "motcua-dashboard.json").read_text())
    expressions += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(expressions) >= 20
    for expression in expressions:
        names = _names_in(expression)
        assert names, expression
        for name in names:
            assert name in exposed or name.removesuffix("_total") in exposed, (name, expression)
