"""A request id on every log line, from the web request into the Celery tasks it starts.

The id comes from the proxy's X-Request-ID when it is a plausible one (else a new one), is sent back
in the response, travels in a header of every task published while the request runs, and is set
again in the worker while that task runs. Log records carry it as `request_id` (RequestIdFilter).
"""

import logging
import re
import uuid
from contextvars import ContextVar

current: ContextVar[str] = ContextVar("request_id", default="")
HEADER = "request_id"
_PLAUSIBLE = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        value = given if _PLAUSIBLE.match(given) else uuid.uuid4().hex
        token = current.set(value)
        request.request_id = value
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = value
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current.get()
        return True


def _on_publish(headers=None, **kwargs):
    value = current.get()
    if value and headers is not None and HEADER not in headers:
        headers[HEADER] = value


def _on_task_start(task=None, **kwargs):
    current.set((getattr(task.request, HEADER, None) if task is not None else None) or "")


def _on_task_end(**kwargs):
    current.set("")


def connect_celery(signals) -> None:
    signals.before_task_publish.connect(_on_publish, dispatch_uid="request-id-publish")
    signals.task_prerun.connect(_on_task_start, dispatch_uid="request-id-task-start")
    signals.task_postrun.connect(_on_task_end, dispatch_uid="request-id-task-end")
