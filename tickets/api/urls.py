from django.urls import path

from . import views

urlpatterns = [
    path("tickets/", views.TicketIssueView.as_view(), name="api-tickets"),
    path("tickets/display/", views.DisplayFeedView.as_view(), name="api-tickets-display"),
]
