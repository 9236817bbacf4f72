from django.urls import path

from backend.records import volunteer_views

app_name = "records_v"

urlpatterns = [
    path("", volunteer_views.record, name="record"),
    path("certificates/<int:pk>/certificate.pdf", volunteer_views.certificate_download, name="certificate_pdf"),
]
