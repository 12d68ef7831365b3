from django.urls import path

from . import views

urlpatterns = [
    path("appointments/slots/", views.SlotListView.as_view(), name="api-appointment-slots"),
    path("appointments/", views.AppointmentBookView.as_view(), name="api-appointments"),
    path("appointments/<int:id>/", views.AppointmentDetailView.as_view(), name="api-appointment"),
]
