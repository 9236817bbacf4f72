"""Public pages for guardians and families (/g/): no account, an SMS code where a sign-up needs one."""

from django.urls import path

from backend.activities import public

app_name = "activities_public"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/", public.article_list, name="articles"),
    path("articles/<int:pk>/", public.article, name="article"),
    path("activities/<int:pk>/signup/", public.signup, name="signup"),
    path("s/<str:token>/", public.signup_page, name="signup-page"),
    path("s/<str:token>/<slug:action>/", public.signup_act, name="signup-act"),
]
