"""The Zalo OA sandbox, outside the app's namespace: portal.channels reverses it by name."""

from django.urls import path

from . import zalo

urlpatterns = [
    path("zalo/thu-nghiem/", zalo.sandbox_root, name="zalo_sandbox_root"),
    path("zalo/thu-nghiem/v3.0/oa/message/cs", zalo.sandbox_send, name="zalo_sandbox_send"),
]
