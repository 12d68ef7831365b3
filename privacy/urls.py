from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("ca-nhan/du-lieu/", views.my_data, name="my_data"),
    path("ca-nhan/du-lieu/tai-ve/", views.my_data_export, name="export"),
    path("ca-nhan/du-lieu/xoa-tai-khoan/", views.account_delete, name="account_delete"),
]
