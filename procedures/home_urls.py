"""The portal's front page, included at the root by portal/urls.py: outside the catalogue's
namespace, so that its name stays plain "home"."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]
