"""Volunteers (爱心妈妈) in the workspace."""

app_name = "volunteers_staff"

urlpatterns = []
