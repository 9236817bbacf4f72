"""Applications (报名审核) in the workspace."""

app_name = "applications_staff"

urlpatterns = []
