from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("lich-hen/", views.mine, name="mine"),
    path("lich-hen/dat/<str:code>/", views.book, name="book"),
    path("lich-hen/<str:code>/", views.detail, name="detail"),
    path("lich-hen/<str:code>/huy/", views.cancel, name="cancel"),
    path("lich-hen/<str:code>/doi/", views.move, name="move"),
    path("can-bo/lich-hen/", views.desk_day, name="desk_day"),
    path("can-bo/lich-hen/<str:code>/danh-dau/", views.desk_mark, name="desk_mark"),
]
