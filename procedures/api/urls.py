from django.urls import path

from . import views

urlpatterns = [
    path("calendar/due-date/", views.DueDateView.as_view(), name="calendar-due-date"),
    path("procedures/", views.ProcedureListView.as_view(), name="api-procedures"),
    path("procedures/<str:code>/", views.ProcedureDetailView.as_view(), name="api-procedure"),
    path("agencies/", views.AgencyListView.as_view(), name="api-agencies"),
]
