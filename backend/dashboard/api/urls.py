from django.urls import path

from backend.dashboard.api import views

app_name = "dashboard-api"

urlpatterns = [
    path("", views.DashboardApi.as_view(), name="home"),
    path("regions/<str:code>/", views.DashboardApi.as_view(), name="region"),
]
