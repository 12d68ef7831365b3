from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("quay/lay-so/<str:agency>/", views.kiosk, name="kiosk"),
    path("quay/lay-so/<str:agency>/ve/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("quay/man-hinh/<str:agency>/", views.display, name="display"),
    path("quay/man-hinh/<str:agency>/du-lieu/", views.display_feed, name="display_feed"),
    path("can-bo/goi-so/", views.caller, name="caller"),
    path("can-bo/goi-so/thong-ke/", views.stats, name="stats"),
    path("can-bo/goi-so/<int:counter>/", views.caller_act, name="caller_act"),
]
