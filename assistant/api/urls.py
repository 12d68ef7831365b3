from django.urls import path

from .views import AssistantFeedbackView, AssistantView, CitizenQuestionView

urlpatterns = [
    path("assistant/", AssistantView.as_view(), name="api-assistant"),
    path("assistant/feedback/", AssistantFeedbackView.as_view(), name="api-assistant-feedback"),
    path("assistant/questions/", CitizenQuestionView.as_view(), name="api-assistant-questions"),
]
