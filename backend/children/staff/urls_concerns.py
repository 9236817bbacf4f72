"""Concerns and mandatory reports (关注事项 / 强制报告) in the workspace."""

from django.urls import path

from backend.children.staff import views

app_name = "concerns_staff"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.concern_act, name="act"),
]
