from django.urls import path

from backend.volunteers import views

app_name = "apply"

urlpatterns = [
    path("", views.apply, name="form"),
    path("thanks/", views.thanks, name="thanks"),
    path("status/", views.status, name="status"),
]
