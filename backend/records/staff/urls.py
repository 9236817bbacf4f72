"""The service record in the workspace (/staff/records/)."""

from django.urls import path

from backend.records.staff import views

app_name = "records_staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export, name="export"),
    path("entries/bulk-approve/", views.entries_bulk_approve, name="bulk_approve"),
    path("entries/<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("volunteers/<int:pk>/", views.ledger, name="ledger"),
    path("volunteers/<int:pk>/supplement/", views.supplement, name="supplement"),
    path("volunteers/<int:pk>/training/", views.training, name="training"),
    path("volunteers/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("volunteers/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("volunteers/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("nominations/", views.nomination_list, name="nominations"),
    path("nominations/<int:pk>/decide/", views.nomination_decide, name="nomination_decide"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("issuer/", views.issuer_settings, name="issuer"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/decide/", views.certificate_decide, name="certificate_decide"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_download, name="certificate_pdf"),
]
