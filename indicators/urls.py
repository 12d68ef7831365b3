"""Dashboards and the public transparency page."""

from django.urls import path

from . import api, views

app_name = "indicators"
urlpatterns = [
    path("can-bo/chi-so/", views.dashboard, name="dashboard"),
    path("can-bo/chi-so/ho-so/", views.drilldown, name="drilldown"),
    path("minh-bach/", views.public, name="public"),
    path("api/v1/indicators/", api.IndicatorsView.as_view(), name="api"),
    path("api/v1/indicators/agencies/", api.AgencyBreakdownView.as_view(), name="api_agencies"),
    path("api/v1/indicators/procedures/", api.ProcedureBreakdownView.as_view(), name="api_procedures"),
    path("api/v1/indicators/trend/", api.TrendView.as_view(), name="api_trend"),
    path("api/v1/indicators/public/", api.PublicIndicatorsView.as_view(), name="api_public"),
]
