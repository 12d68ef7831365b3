from django.urls import path

from . import views

urlpatterns = [
    path("dossiers/<str:ref>/payments/", views.PaymentStartView.as_view(), name="api-payment-start"),
    path("payments/<str:reference>/", views.PaymentDetailView.as_view(), name="api-payment"),
]
