"""The REST API's shared plumbing: errors, token authentication, scope, throttling, idempotency,
pagination, and the notifications inbox endpoints. Settings refer to
`portal.api.problem_exception_handler`."""

from .errors import problem_exception_handler

__all__ = ["problem_exception_handler"]
