from django.urls import path

from backend.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="home"),
    path("dashboard/export.xlsx", views.dashboard_export, name="home-export"),
    path("r/<str:code>/", views.dashboard_page, name="region"),
    path("r/<str:code>/export.xlsx", views.dashboard_export, name="region-export"),
]
