from django.urls import path

from . import views

urlpatterns = [
    path("dossiers/<str:code>/archive/", views.ArchivePackageView.as_view(), name="api-dossier-archive"),
]
