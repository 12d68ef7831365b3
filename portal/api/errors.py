"""One error format for the whole API: RFC 9457 problem details with field errors."""

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def problem_exception_handler(exc, context):
    """Render every DRF error as {"type", "title", "status", "detail", "errors"}."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = {}
    if isinstance(exc, ValidationError):
        data = response.data
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        detail = "; ".join(f"{field}: {' '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}" for field, msgs in errors.items())
        title = "Invalid request"
    else:
        detail = str(getattr(exc, "detail", exc))
        title = status.HTTP_404_NOT_FOUND == response.status_code and "Not found" or response.status_text
    body = {
        "type": "about:blank",
        "title": title,
        "status": response.status_code,
        "detail": detail,
        "errors": errors,
    }
    return Response(body, status=response.status_code, headers=_passthrough_headers(response),
                    content_type="application/problem+json")


def _passthrough_headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
