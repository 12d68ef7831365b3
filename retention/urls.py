from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("can-bo/luu-tru/huy/", views.destruction_list, name="list"),
    path("can-bo/luu-tru/huy/duyet/", views.bulk_approve, name="bulk_approve"),
    path("can-bo/luu-tru/huy/<int:pk>/<str:action>/", views.decide, name="decide"),
]
