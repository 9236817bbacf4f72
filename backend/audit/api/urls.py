from django.urls import path

from backend.audit.api import views

urlpatterns = [
    path("events/", views.AuditEventListApi.as_view(), name="audit-event-list"),
]
