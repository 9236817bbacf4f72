from django.urls import path

from backend.checkins import views

app_name = "checkins"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="sign-in"),
    path("logout/", views.sign_out, name="sign-out"),
    path("log/", views.log, name="log"),
    path("c/<int:pk>/", views.child, name="child"),
    path("me/", views.me, name="me"),
    path("devices/", views.devices, name="devices"),
    path("devices/<int:pk>/end/", views.device_end, name="device-end"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
