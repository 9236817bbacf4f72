"""Children's files (一人一档) in the workspace: list, file, create, edit, reveal, print, export."""

app_name = "children_staff"

urlpatterns = []
