from django.urls import path

from . import views

urlpatterns = [
    path("calendar/due-date/", views.DueDateView.as_view(), name="calendar-due-date"),
]
