"""Pairing in the workspace: runs, proposals, pairings."""

app_name = "pairing_staff"

urlpatterns = []
