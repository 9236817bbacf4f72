"""Concerns and mandatory reports (关注事项 / 强制报告) in the workspace."""

app_name = "concerns_staff"

urlpatterns = []
