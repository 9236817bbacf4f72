from django.urls import path

from backend.volunteers.api import views

urlpatterns = [
    path("phone-codes/", views.PhoneCodeView.as_view(), name="volunteers-phone-code"),
    path("applications/", views.ApplicationListCreateView.as_view(), name="volunteers-applications"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="volunteers-application"),
    path(
        "applications/<int:pk>/decisions/",
        views.ApplicationDecisionView.as_view(),
        name="volunteers-application-decisions",
    ),
    path("applications/<int:pk>/checks/", views.ApplicationCheckView.as_view(), name="volunteers-application-checks"),
    path("volunteers/", views.VolunteerListView.as_view(), name="volunteers-volunteers"),
    path("volunteers/<int:pk>/", views.VolunteerDetailView.as_view(), name="volunteers-volunteer"),
    path("volunteers/<int:pk>/status/", views.VolunteerStatusView.as_view(), name="volunteers-volunteer-status"),
    path("units/", views.CaringUnitListCreateView.as_view(), name="volunteers-units"),
    path("units/<int:pk>/", views.CaringUnitDetailView.as_view(), name="volunteers-unit"),
    path("teams/", views.TeamListView.as_view(), name="volunteers-teams"),
]
