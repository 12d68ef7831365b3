"""Dashboards and the public transparency page."""

urlpatterns = []
