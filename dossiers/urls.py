from django.urls import path

from . import officer_views, preview_views, views

app_name = "dossiers"
urlpatterns = [
    path("thu-tuc/<str:code>/nop/", views.dossier_start, name="start"),
    path("ho-so/", views.dossier_list, name="list"),
    path("ho-so/nhap/<uuid:public_id>/", views.draft_edit, name="draft"),
    path("ho-so/nhap/<uuid:public_id>/xem-lai/", views.draft_review, name="review"),
    path("ho-so/nhap/<uuid:public_id>/xoa/", views.draft_delete, name="draft_delete"),
    path("ho-so/tep/<uuid:public_id>/", views.attachment_download, name="attachment"),
    path("ho-so/tep/<uuid:public_id>/xem/", views.attachment_inline, name="attachment_inline"),
    path("ho-so/<str:code>/", views.dossier_detail, name="detail"),
    path("ho-so/<str:code>/phieu-tiep-nhan.pdf", views.document_download, name="form01"),
    path("ho-so/<str:code>/giay-to/<str:kind>.pdf", views.document_download, name="document"),
    path("ho-so/<str:code>/bo-sung/", views.supplement_respond, name="supplement"),
    path("ho-so/<str:code>/tin-nhan/", views.message_send, name="messages"),
    path("ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
    path("kho-du-lieu/", views.document_store, name="store"),
    path("kho-du-lieu/<uuid:public_id>/", views.stored_download, name="stored"),
    path("kho-du-lieu/<uuid:public_id>/sua/", views.stored_edit, name="stored_edit"),
    path("kho-du-lieu/<uuid:public_id>/xoa/", views.stored_delete, name="stored_delete"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tc/<str:code>", views.lookup, name="lookup_short"),
    path("xac-thuc/", views.verify, name="verify"),
    # Officers
    path("can-bo/xem-truoc-to-khai/", preview_views.form_preview, name="form_preview"),  # the admin's editor
    path("can-bo/ho-so/", officer_views.queue, name="queue"),
    path("can-bo/ho-so/giao-viec/", officer_views.bulk_assign, name="bulk_assign"),
    path("can-bo/ho-so/<str:code>/", officer_views.desk, name="desk"),
    path("can-bo/ho-so/<str:code>/ket-qua-xem-truoc.pdf", officer_views.result_preview_pdf, name="result_preview"),
    path("can-bo/ho-so/<str:code>/tin-nhan/", officer_views.message_send, name="officer_messages"),
    path("can-bo/ho-so/<str:code>/tep-noi-bo/<uuid:public_id>/", officer_views.officer_file, name="officer_file"),
    path("can-bo/ho-so/<str:code>/<str:name>/", officer_views.act, name="act"),
    path("can-bo/tiep-nhan/", officer_views.counter_intake, name="intake"),
    path("can-bo/tiep-nhan/<str:code>/", officer_views.counter_intake, name="intake_start"),
    path("can-bo/so-theo-doi/", officer_views.register, name="register"),
]
