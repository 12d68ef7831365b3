"""Run by tests/portal/test_telemetry.py in a process of its own (tracing instruments Django and
Celery process-wide): OTEL_EXPORTER_OTLP_ENDPOINT points at the test's OTLP receiver."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from portal import telemetry  # noqa: E402

telemetry.setup("web")

from django.test import Client  # noqa: E402
from opentelemetry import trace  # noqa: E402

from portal.celery import app  # noqa: E402

status = Client().get("/healthz/live").status_code
# A task published while a request's span is current carries that trace in its headers.
with trace.get_tracer("motcua.test").start_as_current_span("officer action") as span:
    trace_id = format(span.get_span_context().trace_id, "032x")
    with app.connection_for_write("memory://") as connection:
        app.send_task("portal.tasks.idempotency_purge", connection=connection, queue="default")
        message = connection.SimpleQueue("default").get(timeout=5)
trace.get_tracer_provider().force_flush()
print(
    "RESULT "
    + json.dumps({"status": status, "trace_id": trace_id, "traceparent": message.headers.get("traceparent", "")})
)
