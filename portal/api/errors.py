"""One error format for the whole API: RFC 9457 problem details with field errors.

Every error — DRF's own (parse, auth, throttling, 404/405/415), a service's Django
ValidationError, a use case's portal.exceptions.Conflict (not possible now: 409) — leaves as
`application/problem+json` with {"type", "title", "status", "detail", "errors"}.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal import exceptions

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("Invalid request"),
    401: _("Not signed in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable request"),
    429: _("Too many requests"),
}


class Conflict(APIException):
    """Not possible in the current state of the resource (a transition, an in-progress key)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not possible in the current state.")
    default_code = "conflict"


class Unprocessable(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


def validation_error(error: DjangoValidationError) -> ValidationError:
    """A service's Django ValidationError as a DRF one, keeping the fields it names."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): list(messages)
                for field, messages in error.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": list(error.messages)})


def _flatten(data, prefix="") -> dict[str, list[str]]:
    """DRF's nested error data as {"field" or "parent.field": [messages]}."""
    if isinstance(data, dict):
        found = {}
        for key, value in data.items():
            found.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return {prefix or "non_field_errors": [str(item) for item in data]}
        found = {}
        for index, item in enumerate(data):
            found.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    return {prefix or "non_field_errors": [str(data)]}


def problem_exception_handler(exc, context):
    """Render every error as problem details (see the module docstring)."""
    if isinstance(exc, exceptions.Conflict):  # a use case's "not in this state": the one place it becomes 409
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = {}
    if isinstance(exc, ValidationError):
        errors = _flatten(response.data)
        detail = "; ".join(
            f"{field}: {' '.join(messages)}" if field != "non_field_errors" else " ".join(messages)
            for field, messages in errors.items()
        )
    else:
        detail = str(getattr(exc, "detail", exc))
    code = response.status_code
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(code, response.status_text)),
        "status": code,
        "detail": detail,
        "errors": errors,
    }
    return Response(body, status=code, headers=_passthrough_headers(response), content_type=PROBLEM_CONTENT_TYPE)


def _passthrough_headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}


class ProblemSerializer(serializers.Serializer):
    """An error (RFC 9457 problem details); `errors` names each invalid field."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per field; dotted names for nested fields."),
    )
