from django.urls import path

from . import views

urlpatterns = [
    path("me/export/", views.ExportView.as_view(), name="api-me-export"),
    path("me/access-log/", views.AccessLogView.as_view(), name="api-me-access-log"),
]
