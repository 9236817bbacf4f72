"""Volunteers (爱心妈妈) in the workspace."""

from django.urls import path

from backend.volunteers.staff import views

app_name = "volunteers_staff"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("export/", views.volunteer_export, name="export"),
    path("<int:pk>/", views.volunteer_profile, name="profile"),
    # The to-do home links a row to its page by this name.
    path("<int:pk>/", views.volunteer_profile, name="detail"),
    path("<int:pk>/status/", views.volunteer_status, name="status"),
    path("<int:pk>/message/", views.volunteer_message, name="message"),
]
