"""Care activities in the workspace (/staff/activities/): activities, check-in, wishes, family education."""

from django.urls import path

from backend.activities.staff import views

app_name = "activities_staff"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/signup/", views.activity_signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("sessions/<int:pk>/", views.session_checkin, name="checkin"),
    path("sessions/<int:pk>/scan/", views.session_scan, name="scan"),
    path("sessions/<int:pk>/tick/<int:signup>/", views.session_tick, name="tick"),
    path("wishes/", views.wish_list, name="wishes"),
    path("wishes/new/", views.wish_create, name="wish-create"),
    path("wishes/<int:pk>/", views.wish_detail, name="wish"),
    path("wishes/<int:pk>/<slug:action>/", views.wish_act, name="wish-act"),
    path("children/<int:pk>/consultation/", views.consultation_create, name="consultation"),
    path("articles/", views.article_list, name="articles"),
]
