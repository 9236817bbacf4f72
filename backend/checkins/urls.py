from django.urls import path

from backend.checkins import views

app_name = "checkins"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="sign-in"),
    path("logout/", views.sign_out, name="sign-out"),
    path("log/", views.log, name="log"),
]
