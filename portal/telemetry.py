"""Traces and error reports, each only when configured: OpenTelemetry spans to the collector at
OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP) from the web and from Celery, one trace from a request
into the tasks it starts; errors to Sentry at SENTRY_DSN, never with personal data."""

_done: set[str] = set()


def setup(service: str) -> None:
    """Once per process, before the first request or task: `service` is "web" or "worker"."""
    from django.conf import settings

    if service in _done:
        return
    _done.add(service)
    if settings.SENTRY_DSN:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration

        sentry_sdk.init(
            dsn=settings.SENTRY_DSN,
            integrations=[DjangoIntegration(), CeleryIntegration()],
            send_default_pii=False,  # names, ID numbers and addresses stay in the portal
            environment=service,
        )
    if settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": f"motcua-{service}"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # reads the endpoint from the env
        trace.set_tracer_provider(provider)
        DjangoInstrumentor().instrument()
        CeleryInstrumentor().instrument()  # publishing carries the trace context in the task's headers
