from django.urls import path

from . import views

urlpatterns = [
    path("", views.verify, name="second_factor_verify"),
    path("thiet-lap/", views.enrol, name="second_factor_enrol"),
    path("ma-du-phong/", views.recovery_codes, name="second_factor_recovery_codes"),
    path("thiet-bi/", views.account, name="second_factor_account"),
]
