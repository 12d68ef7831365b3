from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import help_pages, pki_views, views
from .api.docs import RedocView, SwaggerView
from .api.urls import not_found_patterns
from .forms import LoginForm
from .metrics import metrics_view

urlpatterns = [
    path("", include("procedures.home_urls")),  # the front page ("home"), the catalogue's
    path("", include("dossiers.urls")),
    path("", include("payments.urls")),
    path("", include("postal.urls")),
    path("", include("archive.urls")),
    path("", include("appointments.urls")),
    path("", include("assistant.urls")),
    path("", include("assistant.sandbox_urls")),  # un-namespaced: portal.channels reverses it
    path("", include("tickets.urls")),
    path("", include("retention.urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    # After Django's auth URLs, so that reverse("login") names this page (the last "login" wins).
    path("tai-khoan/dang-nhap/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("tai-khoan/dang-ky/", views.register, name="register"),
    path("tai-khoan/kich-hoat/<uidb64>/<token>/", views.account_activate, name="account_activate"),
    path("tai-khoan/dinh-danh/lien-ket/", views.eidentity_link_page, name="eidentity_link"),
    path("tai-khoan/xac-thuc/", include("portal.second_factor.urls")),
    path("tai-khoan/api/", views.api_tokens, name="api_tokens"),
    path("tai-khoan/thong-tin/", views.profile, name="profile"),
    path("dieu-khoan/", views.privacy_notice, name="privacy_notice"),
    path("dieu-khoan/dong-y/", views.privacy_consent, name="privacy_consent"),
    path("", include("privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portal.api.urls")),
    path("", include("indicators.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("pki/ca.crl", pki_views.ca_crl, name="pki_crl"),
    path("pki/tsa/", pki_views.tsa, name="pki_tsa"),
    path("thong-bao/", views.inbox, name="inbox"),
    path("thong-bao/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("thong-bao/doc-het/", views.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("huong-dan/", help_pages.help_page, name="help"),
    path("huong-dan/<slug:role>/", help_pages.help_page, name="help_role"),
    path("admin/", admin.site.urls),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

# Error pages in the portal's layout (problem+json under /api/).
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

# Last: any other path under /api/v1/ is a problem+json 404 (after every app's API routes).
urlpatterns += not_found_patterns
