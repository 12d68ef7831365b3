from django.urls import path

from . import views

app_name = "postal"
urlpatterns = [
    path("buu-chinh/thong-bao/", views.webhook, name="webhook"),
    path("buu-chinh/thu-nghiem/", views.sandbox_root, name="sandbox_root"),
    path("buu-chinh/thu-nghiem/orders/", views.sandbox_orders, name="sandbox_orders"),
]
