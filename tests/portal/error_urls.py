"""The portal's URLs plus views that fail, to reach every error page."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_patterns


def database_down(request):
    raise OperationalError("could not connect to server")


def suspicious(request):
    raise SuspiciousOperation("bad input")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("loi/500/", database_down),
    path("api/v1/loi/500/", database_down),
    path("loi/400/", suspicious),
    path("loi/403/", forbidden),
    *portal_patterns,
]
