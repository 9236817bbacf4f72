"""The volunteer's activity and wish pages (/v/activities/, /v/wishes/)."""

from django.urls import path

from backend.activities import volunteer

app_name = "activities_volunteer"

urlpatterns = [
    path("activities/", volunteer.activity_list, name="list"),
    path("activities/<int:pk>/", volunteer.activity_detail, name="detail"),
    path("wishes/", volunteer.wish_list, name="wishes"),
    path("wishes/new/", volunteer.wish_create, name="wish-create"),
    path("wishes/<int:pk>/claim/", volunteer.wish_claim, name="wish-claim"),
]
