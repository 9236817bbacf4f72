from django.urls import path

from backend.checkins.api import views

app_name = "checkins-api"

urlpatterns = [
    path("", views.CheckInListCreateApi.as_view(), name="checkin-list"),
    path("<int:pk>/acknowledge/", views.CheckInAcknowledgeApi.as_view(), name="checkin-acknowledge"),
    path("due/", views.DueListApi.as_view(), name="due-list"),
]
