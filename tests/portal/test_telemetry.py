"""With OTEL_EXPORTER_OTLP_ENDPOINT set, spans go out over OTLP/HTTP (protobuf) to the collector:
here an in-process receiver speaking that protocol. A task published during a span carries the
trace in its `traceparent` header, so the worker's span joins the request's trace."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

SCRIPT = Path(__file__).with_name("telemetry_script.py")


class Receiver(BaseHTTPRequestHandler):
    spans: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}.get("service.name")
            for scope in resource.scope_spans:
                for span in scope.spans:
                    Receiver.spans.append((self.path, service, span.name, span.trace_id.hex()))
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_requests_are_traced_to_the_collector_and_tasks_carry_the_trace():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.spans = []
    env = {
        **os.environ,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite://:memory:",
        "REDIS_URL": "",
    }
    try:
        done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["status"] == 200
    paths = {path for path, *_ in Receiver.spans}
    assert paths == {"/v1/traces"}
    names = {(service, name) for _path, service, name, _trace in Receiver.spans}
    assert ("motcua-web", "GET healthz/live") in names or any(
        service == "motcua-web" and "healthz" in name for service, name in names
    ), names
    assert result["traceparent"].split("-")[1] == result["trace_id"]
    assert result["trace_id"] in {trace for *_rest, trace in Receiver.spans}
