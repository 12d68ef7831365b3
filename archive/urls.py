from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("can-bo/ho-so/<str:code>/luu-tru.zip", views.package_download, name="download"),
]
