"""Applications (报名审核) in the workspace."""

from django.urls import path

from backend.volunteers.staff import views

app_name = "applications_staff"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("export/", views.application_export, name="export"),
    path("bulk-approve/", views.application_bulk_approve, name="bulk_approve"),
    path("<int:pk>/", views.application_review, name="review"),
    # The to-do home links a row to its page by this name.
    path("<int:pk>/", views.application_review, name="detail"),
]
