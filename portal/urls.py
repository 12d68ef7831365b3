from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", include("procedures.urls")),
    path("tai-khoan/dang-nhap/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("tai-khoan/dang-ky/", views.register, name="register"),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("procedures.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
