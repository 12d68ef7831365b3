from django.urls import path

from . import views

urlpatterns = [
    path("dossiers/", views.DossierListCreateView.as_view(), name="api-dossiers"),
    path("dossiers/<str:ref>/", views.DossierDetailView.as_view(), name="api-dossier"),
    path("dossiers/<str:ref>/attachments/", views.AttachmentView.as_view(), name="api-dossier-attachments"),
    path(
        "dossiers/<str:ref>/attachments/<uuid:attachment>/",
        views.AttachmentDeleteView.as_view(),
        name="api-dossier-attachment",
    ),
    path("dossiers/<str:ref>/messages/", views.MessagesView.as_view(), name="api-dossier-messages"),
    path("dossiers/<str:ref>/submit/", views.SubmitView.as_view(), name="api-dossier-submit"),
    path("dossiers/<str:ref>/timeline/", views.TimelineView.as_view(), name="api-dossier-timeline"),
    path(
        "dossiers/<str:ref>/supplement-response/",
        views.SupplementResponseView.as_view(),
        name="api-dossier-supplement-response",
    ),
    path("dossiers/<str:ref>/withdrawal/", views.WithdrawalView.as_view(), name="api-dossier-withdrawal"),
    path("dossiers/<str:ref>/rating/", views.RatingView.as_view(), name="api-dossier-rating"),
    path("dossiers/<str:ref>/documents/", views.DocumentListView.as_view(), name="api-dossier-documents"),
    path("dossiers/<str:ref>/documents/<str:kind>/", views.DocumentDownloadView.as_view(), name="api-dossier-document"),
    path("dossiers/<str:code>/transitions/", views.TransitionListView.as_view(), name="api-transitions"),
    path("dossiers/<str:code>/transitions/<str:name>/", views.TransitionView.as_view(), name="api-transition"),
    path("queue/", views.QueueView.as_view(), name="api-queue"),
    path("lookup/<str:code>/", views.LookupView.as_view(), name="api-lookup"),
]
