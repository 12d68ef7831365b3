from django.urls import path

from . import views, zalo

app_name = "assistant"
urlpatterns = [
    path("can-bo/cau-hoi/", views.question_queue, name="question_queue"),
    path("can-bo/cau-hoi/<int:pk>/tra-loi/", views.question_answer, name="question_answer"),
    path("can-bo/cau-hoi/thong-ke/", views.assistant_stats, name="stats"),
    path("zalo/webhook/", zalo.webhook, name="zalo_webhook"),
]
