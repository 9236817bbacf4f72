from django.urls import path

from backend.records import public

app_name = "records_public"

urlpatterns = [
    path("verify/", public.verify, name="verify"),
    path("notice/<str:prefix>/", public.notice, name="notice"),
]
