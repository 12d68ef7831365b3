from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("thu-tuc/<str:code>/nop/", views.dossier_start, name="start"),
    path("ho-so/", views.dossier_list, name="list"),
    path("ho-so/nhap/<uuid:public_id>/", views.draft_edit, name="draft"),
    path("ho-so/nhap/<uuid:public_id>/xem-lai/", views.draft_review, name="review"),
    path("ho-so/tep/<uuid:public_id>/", views.attachment_download, name="attachment"),
    path("ho-so/<str:code>/", views.dossier_detail, name="detail"),
    path("ho-so/<str:code>/phieu-tiep-nhan.pdf", views.form01_download, name="form01"),
    path("ho-so/<str:code>/bo-sung/", views.supplement_respond, name="supplement"),
    path("ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
    path("kho-du-lieu/", views.document_store, name="store"),
    path("kho-du-lieu/<uuid:public_id>/", views.stored_download, name="stored"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tc/<str:code>", views.lookup, name="lookup_short"),
]
