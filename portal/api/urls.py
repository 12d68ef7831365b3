"""API v1: every app's api/urls.py, then a 404 problem for anything else under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .notifications import NotificationListView, NotificationReadView

urlpatterns = [
    path("", include("procedures.api.urls")),
    path("", include("dossiers.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("appointments.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("assistant.api.urls")),
    path("", include("privacy.api.urls")),
    path("", include("archive.api.urls")),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/<int:id>/read/", NotificationReadView.as_view(), name="api-notification-read"),
]


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/v1/: a problem+json 404, whatever the method."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound

    get = post = put = patch = delete = http_method_not_allowed


not_found_patterns = [re_path(r"^api/v1/", NotFoundView.as_view())]
