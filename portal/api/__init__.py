"""The REST API's shared plumbing: errors, token authentication, scope, throttling, idempotency,
pagination, and the notifications inbox endpoints.

Nothing is imported here: DRF imports the authentication class while `rest_framework.views` is
still loading, so a package-level import of a module that needs `rest_framework.views` (errors)
would be circular. Settings name `portal.api.errors.problem_exception_handler`."""
