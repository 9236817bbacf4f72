from django.urls import path

from backend.accounts.api.views import MeView

urlpatterns = [path("me/", MeView.as_view(), name="accounts-me")]
