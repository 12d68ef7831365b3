from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("mau-don/<int:pk>/", views.document_template, name="document_template"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]
