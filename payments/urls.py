from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<str:code>/thanh-toan/", views.start, name="start"),
    path("thanh-toan/thu-nghiem/", views.sandbox, name="sandbox"),
    path("thanh-toan/thu-nghiem/querydr/", views.sandbox_query, name="sandbox_query"),
    path("thanh-toan/vnpay/tra-ve/", views.vnpay_return, name="vnpay_return"),
    path("thanh-toan/vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("thanh-toan/ngan-hang/thong-bao/", views.bank_webhook, name="bank_webhook"),
    path("thanh-toan/<str:reference>/vietqr/", views.vietqr, name="vietqr"),
    path("thanh-toan/<str:reference>/vietqr.png", views.vietqr_png, name="vietqr_png"),
    path("thanh-toan/<str:reference>/vietqr/trang-thai/", views.vietqr_status, name="vietqr_status"),
    path("thanh-toan/<str:reference>/bien-lai.pdf", views.receipt, name="receipt"),
    path("can-bo/thu-phi/<str:code>/", views.record_at_counter, name="record_at_counter"),
    path("can-bo/bao-cao-thu/", views.daily_report, name="daily_report"),
    path("can-bo/mien-phi/<str:code>/", views.exempt, name="exempt"),
    path("can-bo/hoan-phi/<str:reference>/", views.refund, name="refund"),
    path("can-bo/hoan-tien-thua/<int:pk>/", views.overpayment_refund, name="overpayment_refund"),
]
