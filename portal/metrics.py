"""Prometheus metrics at /metrics (a bearer token, METRICS_TOKEN; 404 without one).

Requests, database and cache come from django-prometheus; Celery tasks are counted by signal
handlers here; business gauges (open and overdue dossiers per agency, the outbox backlog, failed
notifications, queue depth) are read from the database and Redis at scrape time. Apps above portal
add their gauges with metric_source_register() in AppConfig.ready(). With several processes
(gunicorn workers, Celery's prefork children) set PROMETHEUS_MULTIPROC_DIR to a shared empty
folder: every process writes its samples there and a scrape adds them up.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

QUEUES = ("default", "notifications", "documents")

TASKS = Counter(
    "motcua_celery_tasks_total", "Celery tasks finished, by task, queue and outcome.", ["task", "queue", "outcome"]
)
TASK_RETRIES = Counter("motcua_celery_task_retries_total", "Celery task retries, by task.", ["task"])
TASK_SECONDS = Histogram(
    "motcua_celery_task_duration_seconds",
    "How long Celery tasks ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

# (name, help, labels, function returning [(label values, value)]) from the apps above portal.
_sources: list[tuple[str, str, tuple[str, ...], Callable[[], Iterable[tuple[tuple, float]]]]] = []


def metric_source_register(name: str, help_text: str, labels: tuple[str, ...], read: Callable) -> None:
    if all(existing[0] != name for existing in _sources):
        _sources.append((name, help_text, labels, read))


class BusinessCollector:
    """Gauges read at scrape time, so they are right whichever process answers."""

    def describe(self):
        return []  # registering must not query: the database may not be ready then

    def collect(self):
        from .models import DeliveryStatus, Notification, OutboxMessage
        from .outbox import oldest_unpublished_age

        backlog = GaugeMetricFamily("motcua_outbox_backlog", "Outbox messages not yet published.")
        backlog.add_metric([], OutboxMessage.objects.filter(published_at__isnull=True).count())
        yield backlog
        oldest = GaugeMetricFamily(
            "motcua_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished outbox message."
        )
        oldest.add_metric([], oldest_unpublished_age() or 0.0)
        yield oldest
        failed = GaugeMetricFamily(
            "motcua_notifications_failed", "Notifications that failed for good, by channel.", labels=["channel"]
        )
        for channel, count in _count_by(Notification.objects.filter(status=DeliveryStatus.FAILED), "channel"):
            failed.add_metric([channel], count)
        yield failed
        depth = GaugeMetricFamily(
            "motcua_celery_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, length in _queue_depths():
            depth.add_metric([queue], length)
        yield depth
        from .replica import configured, replica_status

        if configured():
            replica = replica_status()
            usable = GaugeMetricFamily("motcua_replica_usable", "1 when reads may go to the replica.")
            usable.add_metric([], 1.0 if replica["usable"] else 0.0)
            yield usable
            lag = GaugeMetricFamily("motcua_replica_lag_seconds", "How far the replica's replay is behind.")
            lag.add_metric([], replica["lag"] if replica["lag"] is not None else float("nan"))
            yield lag
        for name, help_text, labels, read in _sources:
            family = GaugeMetricFamily(name, help_text, labels=list(labels))
            for values, value in read():
                family.add_metric([str(v) for v in values], value)
            yield family


def _count_by(queryset, field):
    from django.db.models import Count

    return queryset.values_list(field).annotate(n=Count("pk")).order_by(field)


def _queue_depths():
    if not settings.REDIS_URL:
        return []
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return [(queue, client.llen(queue)) for queue in QUEUES]
    except redis.RedisError:
        return []


BUSINESS = BusinessCollector()
REGISTRY.register(BUSINESS)


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(BUSINESS)
        return registry
    return REGISTRY


def metrics_view(request):
    """The scrape: only with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time)."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


# --- Celery: connected in PortalConfig.ready() -------------------------------------------------
_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


def task_finished(task_id=None, task=None, state=None, **kwargs):
    began = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    delivery = (getattr(task.request, "delivery_info", None) or {}) if task else {}
    queue = delivery.get("routing_key") or "default"
    if began is not None:
        TASK_SECONDS.labels(name).observe(time.monotonic() - began)
    TASKS.labels(name, queue, "success" if state == "SUCCESS" else (state or "unknown").lower()).inc()


def task_retried(request=None, **kwargs):
    TASK_RETRIES.labels(getattr(request, "task", "unknown")).inc()
