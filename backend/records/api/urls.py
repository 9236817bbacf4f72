from django.urls import path

from backend.records.api import views

app_name = "records-api"

urlpatterns = [
    path("entries/", views.EntryListApi.as_view(), name="entry-list"),
    path("entries/<int:pk>/", views.EntryDetailApi.as_view(), name="entry-detail"),
    path("volunteers/<int:pk>/", views.VolunteerRecordApi.as_view(), name="volunteer-record"),
    path("nominations/", views.NominationListApi.as_view(), name="nomination-list"),
    path("nominations/<int:pk>/", views.NominationDetailApi.as_view(), name="nomination-detail"),
    path("certificates/", views.CertificateListApi.as_view(), name="certificate-list"),
    path("certificates/<int:pk>/", views.CertificateDetailApi.as_view(), name="certificate-detail"),
]
