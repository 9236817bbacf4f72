from django.urls import path

from backend.regions.api.views import RegionChildrenView

urlpatterns = [path("", RegionChildrenView.as_view(), name="region-children")]
